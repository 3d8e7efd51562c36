import { AccessService } from '../../services/AccessService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, EndpointContext } from './types';

/** What people hold: My access, give it back, extend; admins revoke. */
export function bindAccessEndpoints(
  router: AppAccessRouter,
  context: EndpointContext,
  access: AccessService,
) {
  router.get('/me/access', async (_req, res) => {
    res.json(await access.mine(callOf(res).caller));
  });

  router.post('/grants/:id/remove', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'access-remove',
        { grantId: req.params.id },
        () => access.remove(caller, req.params.id),
      ),
    );
  });

  router.post('/grants/:id/extend', async (req, res) => {
    const { caller } = callOf(res);
    const created = await context.audited(
      req,
      'access-extend',
      { grantId: req.params.id, durationDays: req.body.durationDays },
      () => access.extend(caller, req.params.id, req.body),
    );
    res.status(201).json(created);
  });

  router.post('/admin/grants/:id/revoke', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'access-revoke',
        { grantId: req.params.id },
        () => access.revoke(caller, req.params.id, req.body.reason),
      ),
    );
  });

  router.post('/admin/grants/:id/mark-removed', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'access-mark-removed',
        { grantId: req.params.id },
        () => access.markRemoved(caller, req.params.id, req.body?.note),
      ),
    );
  });

  router.get('/admin/removals', async (_req, res) => {
    res.json(await access.removals());
  });

  router.get('/admin/apps/:id/grants', async (req, res) => {
    res.json(await access.heldForApp(req.params.id));
  });

  router.post('/admin/apps/:id/tiers/:tierId/revoke', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'access-revoke-tier',
        { appId: req.params.id, tierId: req.params.tierId },
        () =>
          access.revokeTier(
            caller,
            req.params.id,
            req.params.tierId,
            req.body.reason,
          ),
      ),
    );
  });
}
