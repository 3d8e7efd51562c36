import { appAccessRequestReadAllPermission } from '@app-access/plugin-app-access-common';
import { RequestService } from '../../services/RequestService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, cursorParam, EndpointContext } from './types';

/** What waits for the caller's decision, and deciding it. */
export function bindApprovalEndpoints(
  router: AppAccessRouter,
  context: EndpointContext,
  requests: RequestService,
) {
  router.get('/approvals', async (req, res) => {
    res.json(
      await requests.listPendingApprovals(callOf(res).caller, {
        limit: req.query.limit ?? 50,
        cursor: cursorParam(req.query.cursor),
      }),
    );
  });

  router.post('/requests/:id/decisions', async (req, res) => {
    const { caller, credentials } = callOf(res);
    res.json(
      await context.audited(
        req,
        'request-decide',
        { requestId: req.params.id, decision: req.body.decision },
        () =>
          requests.decide(caller, req.params.id, req.body, () =>
            context.isAllowed(credentials, appAccessRequestReadAllPermission),
          ),
      ),
    );
  });
}
