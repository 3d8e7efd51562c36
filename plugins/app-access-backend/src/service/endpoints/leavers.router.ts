import { LeaverService } from '../../services/LeaverService';
import { AppAccessRouter } from './types';

/** People who left the directory (read.all, checked by the guard). */
export function bindLeaverEndpoints(
  router: AppAccessRouter,
  leavers: LeaverService,
) {
  router.get('/admin/leavers', async (_req, res) => {
    res.json(await leavers.list());
  });
}
