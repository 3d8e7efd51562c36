import { AppAdminService } from '../../services/AppAdminService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, cursorParam, EndpointContext } from './types';

/** The catalog as admins curate it (app-access.app.manage, checked by the guard). */
export function bindAdminAppEndpoints(
  router: AppAccessRouter,
  context: EndpointContext,
  apps: AppAdminService,
) {
  router.get('/admin/apps', async (req, res) => {
    res.json(
      await apps.list({
        q: req.query.q,
        category: req.query.category,
        listed:
          req.query.listed === undefined
            ? undefined
            : req.query.listed === 'true',
        limit: req.query.limit ?? 50,
        cursor: cursorParam(req.query.cursor),
      }),
    );
  });

  router.get('/admin/apps/:id', async (req, res) => {
    res.json(await apps.get(req.params.id));
  });

  router.post('/admin/apps', async (req, res) => {
    const { caller } = callOf(res);
    const saved = await context.audited(
      req,
      'app-create',
      { appId: String(req.body.id ?? '') },
      () => apps.save(caller, req.body, { mustBeNew: true }),
    );
    res.status(201).json(saved);
  });

  router.put('/admin/apps/:id', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(req, 'app-update', { appId: req.params.id }, () =>
        apps.save(caller, req.body, { mustBeNew: false, id: req.params.id }),
      ),
    );
  });
}
