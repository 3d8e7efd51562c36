import { appAccessRequestReadAllPermission } from '@app-access/plugin-app-access-common';
import { RequestService } from '../../services/RequestService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, cursorParam, EndpointContext } from './types';

/** An employee's own requests: submit, intake, list, read, cancel. */
export function bindRequestEndpoints(
  router: AppAccessRouter,
  context: EndpointContext,
  requests: RequestService,
) {
  router.post('/requests', async (req, res) => {
    const { caller } = callOf(res);
    const created = await context.audited(
      req,
      'request-submit',
      {
        appId: req.body.appId,
        tierId: req.body.tierId,
        ...(req.body.onBehalfOf ? { onBehalfOf: req.body.onBehalfOf } : {}),
      },
      () => requests.submit(caller, req.body),
    );
    res.status(201).json(created);
  });

  router.post('/requests/intake', async (req, res) => {
    const { caller } = callOf(res);
    const created = await context.audited(
      req,
      'request-intake',
      { name: req.body.name },
      () => requests.submitIntake(caller, req.body),
    );
    res.status(201).json(created);
  });

  router.get('/requests', async (req, res) => {
    res.json(
      await requests.listMine(callOf(res).caller, {
        status: req.query.status,
        limit: req.query.limit ?? 50,
        cursor: cursorParam(req.query.cursor),
      }),
    );
  });

  router.get('/requests/:id', async (req, res) => {
    const { caller, credentials } = callOf(res);
    res.json(
      await requests.get(caller, req.params.id, () =>
        context.isAllowed(credentials, appAccessRequestReadAllPermission),
      ),
    );
  });

  router.post('/requests/:id/cancel', async (req, res) => {
    const { caller, credentials } = callOf(res);
    res.json(
      await context.audited(
        req,
        'request-cancel',
        { requestId: req.params.id },
        () =>
          requests.cancel(caller, req.params.id, () =>
            context.isAllowed(credentials, appAccessRequestReadAllPermission),
          ),
      ),
    );
  });
}
