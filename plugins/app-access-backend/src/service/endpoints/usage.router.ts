import { UsageInsightService } from '../../services/UsageInsightService';
import { AppAccessRouter } from './types';

/** Usage insight (app-access.app.manage, checked by the guard). */
export function bindUsageEndpoints(
  router: AppAccessRouter,
  usage: UsageInsightService,
) {
  router.get('/admin/usage', async (_req, res) => {
    res.json(await usage.get());
  });

  router.get('/admin/usage/apps/:id/history', async (req, res) => {
    res.json(await usage.history(req.params.id, req.query.days ?? 90));
  });
}
