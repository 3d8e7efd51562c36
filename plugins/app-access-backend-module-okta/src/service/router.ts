import {
  HttpAuthService,
  HttpRouterService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { appAccessAppManagePermission } from '@app-access/plugin-app-access-common';
import { OktaApi } from '../OktaApi';

type Handler = Parameters<HttpRouterService['use']>[0];
type Req = Parameters<Handler>[0];

export type OktaRouterOptions = {
  api: OktaApi;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
};

const MAX_RESULTS = 1000;
const DEFAULT_RESULTS = 200;

function readQuery(req: Req): { q?: string; limit: number } {
  const { q, limit } = req.query;
  if (q !== undefined && (typeof q !== 'string' || q.length > 100)) {
    throw new InputError('q: must be a single text of at most 100 characters');
  }
  let max = DEFAULT_RESULTS;
  if (limit !== undefined) {
    max = Number(limit);
    if (
      typeof limit !== 'string' ||
      !Number.isInteger(max) ||
      max < 1 ||
      max > MAX_RESULTS
    ) {
      throw new InputError(
        `limit: must be a whole number from 1 to ${MAX_RESULTS}`,
      );
    }
  }
  return { q: q?.trim() || undefined, limit: max };
}

/**
 * Admin helpers under /api/app-access: Okta apps for the "Not in catalog"
 * tab and Okta groups for the group picker. Only app managers may list them.
 */
export function createOktaRouter(options: OktaRouterOptions): Handler {
  const { api, httpAuth, permissions } = options;

  async function requireAppManager(req: Req) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: appAccessAppManagePermission }],
      { credentials },
    );
    // AuthorizeResult is a string enum; its ALLOW member is 'ALLOW'.
    if ((decision.result as string) !== 'ALLOW') {
      throw new NotAllowedError(
        `You need the ${appAccessAppManagePermission.name} permission`,
      );
    }
  }

  async function fromOkta<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new ServiceUnavailableError(api.describe(error).message);
    }
  }

  const routes: Record<string, (req: Req) => Promise<unknown>> = {
    '/okta/apps': async req => {
      await requireAppManager(req);
      const { q, limit } = readQuery(req);
      return fromOkta(() => api.listApps(q, limit));
    },
    '/okta/groups': async req => {
      await requireAppManager(req);
      const { q, limit } = readQuery(req);
      return fromOkta(() => api.listGroups(q, limit));
    },
  };

  return (req, res, next) => {
    const route = req.method === 'GET' ? routes[req.path] : undefined;
    if (!route) {
      next();
      return;
    }
    route(req).then(body => res.json(body), next);
  };
}
