import { OutboxService } from '../../services/OutboxService';
import { RequestService } from '../../services/RequestService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, cursorParam, EndpointContext } from './types';

/** Request oversight and the outbox (read.all / request.manage, checked by the guard). */
export function bindAdminRequestEndpoints(
  router: AppAccessRouter,
  context: EndpointContext,
  requests: RequestService,
  outbox: OutboxService,
) {
  router.get('/admin/requests', async (req, res) => {
    res.json(
      await requests.listAll({
        status: req.query.status,
        appId: req.query.appId,
        requester: req.query.requester,
        olderThanDays: req.query.olderThanDays,
        limit: req.query.limit ?? 50,
        cursor: cursorParam(req.query.cursor),
      }),
    );
  });

  router.get('/admin/requests/:id', async (req, res) => {
    res.json(await requests.getAny(req.params.id));
  });

  router.post('/admin/requests/:id/retry', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'request-retry',
        { requestId: req.params.id },
        () => requests.retry(caller, req.params.id),
      ),
    );
  });

  router.post('/admin/requests/:id/approvers', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'request-name-approver',
        { requestId: req.params.id, approver: req.body.approver },
        () => requests.nameApprover(caller, req.params.id, req.body.approver),
      ),
    );
  });

  router.post('/admin/requests/:id/mark-fulfilled', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'request-mark-fulfilled',
        { requestId: req.params.id },
        () => requests.markFulfilled(caller, req.params.id, req.body?.note),
      ),
    );
  });

  router.post('/admin/requests/:id/remind', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'request-remind',
        { requestId: req.params.id },
        () => requests.remindNow(caller, req.params.id),
      ),
    );
  });

  router.get('/admin/outbox', async (req, res) => {
    res.json(
      await outbox.list({
        status: req.query.status,
        kind: req.query.kind,
        limit: req.query.limit ?? 50,
      }),
    );
  });

  router.post('/admin/outbox/:id/retry', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(req, 'outbox-retry', { jobId: req.params.id }, () =>
        outbox.revive(caller, req.params.id),
      ),
    );
  });
}
