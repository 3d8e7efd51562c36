import {
  OPEN_STATUSES,
  REQUEST_STATUSES,
} from '@app-access/plugin-app-access-common';
import { AppAccessRouter } from './types';

/** Liveness and the request statuses clients show badges for. */
export function bindMetaEndpoints(router: AppAccessRouter) {
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/meta', (_req, res) => {
    res.json({ statuses: REQUEST_STATUSES, openStatuses: OPEN_STATUSES });
  });
}
