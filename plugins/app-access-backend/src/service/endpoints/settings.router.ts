import { SettingsService } from '../../services/SettingsService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, EndpointContext } from './types';

/** Admin settings, module checks and sync status (app-access.settings.manage, checked by the guard). */
export function bindSettingsEndpoints(
  router: AppAccessRouter,
  context: EndpointContext,
  settings: SettingsService,
) {
  router.get('/settings', async (_req, res) => {
    res.json(await settings.view());
  });

  router.put('/settings', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'settings-update',
        { keys: Object.keys(req.body) },
        () => settings.update(caller, req.body),
      ),
    );
  });

  router.post('/admin/modules/:kind/:id/test', async (req, res) => {
    const { caller } = callOf(res);
    res.json(await settings.testModule(req.params.kind, req.params.id, caller));
  });

  router.get('/admin/sync', async (_req, res) => {
    res.json(await settings.syncStatus());
  });
}
