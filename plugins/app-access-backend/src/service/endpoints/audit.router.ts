import { AuditService } from '../../services/AuditService';
import { ChecklistService } from '../../services/ChecklistService';
import { AppAccessRouter, cursorParam } from './types';

/** The audit trail as JSON pages or a CSV file (app-access.audit.read, checked by the guard). */
export function bindAuditEndpoints(
  router: AppAccessRouter,
  audit: AuditService,
  checklist: ChecklistService,
) {
  // "Test your configuration" reads the audit trail (app-access.audit.read).
  router.get('/admin/checklist', async (_req, res) => {
    res.json(await checklist.evaluate());
  });

  router.get('/admin/audit', async (req, res) => {
    const query = {
      requestId: req.query.requestId,
      appId: req.query.appId,
      actor: req.query.actor,
      type: req.query.type,
      since: req.query.since,
      until: req.query.until,
      limit: req.query.limit ?? 100,
      cursor: cursorParam(req.query.cursor),
    };
    if (req.query.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        'attachment; filename="app-access-audit.csv"',
      );
      res.send(await audit.csv(query));
      return;
    }
    res.json(await audit.list(query));
  });
}
