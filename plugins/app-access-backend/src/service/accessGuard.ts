import express from 'express';
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { appAccessPermissions } from '@app-access/plugin-app-access-common';
import { Caller } from '../workflow/RequestWorkflow';

type Operation = {
  operationId?: string;
  security?: ReadonlyArray<Record<string, unknown>>;
  'x-permission'?: string;
  /** `service`: only another plugin (a service token) may call it. */
  'x-caller'?: 'service';
};

type Spec = {
  security?: ReadonlyArray<Record<string, unknown>>;
  paths: Record<string, Record<string, unknown>>;
};

type Route = {
  method: string;
  pattern: RegExp;
  params: number;
  anonymous: boolean;
  service: boolean;
  permission?: BasicPermission;
};

/** Who is calling, as the guard established it for the route handlers. */
export type CallContext = { caller: Caller; credentials: BackstageCredentials };

const CONTEXT = Symbol('app-access.call');

/** The caller of a route that needs a user; set by the guard before any handler runs. */
export function callOf(res: express.Response): CallContext {
  const context = (res.locals as Record<symbol, CallContext | undefined>)[
    CONTEXT
  ];
  if (!context) {
    throw new Error('No caller: the access guard did not run for this route');
  }
  return context;
}

function routesOf(spec: Spec): Route[] {
  const byName = new Map(appAccessPermissions.map(p => [p.name, p]));
  const routes: Route[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    const pattern = new RegExp(
      `^${path
        .split(/(\{[^}]+\})/)
        .map(part =>
          part.startsWith('{')
            ? '([^/]+)'
            : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('')}/?$`,
    );
    for (const [method, value] of Object.entries(item)) {
      const operation = value as Operation;
      const security = operation.security ?? spec.security ?? [];
      const permissionName = operation['x-permission'];
      const permission = permissionName
        ? byName.get(permissionName)
        : undefined;
      if (permissionName && !permission) {
        throw new Error(
          `openapi.yaml: ${operation.operationId} names an unknown permission '${permissionName}'`,
        );
      }
      routes.push({
        method: method.toUpperCase(),
        pattern,
        params: (path.match(/\{/g) ?? []).length,
        anonymous: security.some(s => Object.keys(s).length === 0),
        service: operation['x-caller'] === 'service',
        permission: permission as BasicPermission | undefined,
      });
    }
  }
  // Literal segments win over parameters (/requests/intake before /requests/{id}).
  return routes.sort((a, b) => a.params - b.params);
}

/**
 * Checks who is calling before anything else looks at the request: a route
 * the spec does not mark anonymous needs a user token (401), and one with
 * `x-permission` needs that App Access permission (403); one marked
 * `x-caller: service` takes a service token only (the search collator). Only then is the
 * request validated against the spec, so nobody learns about the shape of a
 * route they may not call.
 */
export function createAccessGuard(options: {
  spec: Spec;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
}): express.RequestHandler {
  const routes = routesOf(options.spec);
  return (req, res, next) => {
    const route = routes.find(
      r => r.method === req.method && r.pattern.test(req.path),
    );
    if (!route || route.anonymous) {
      next();
      return;
    }
    if (route.service) {
      // Plugin to plugin: a user token is refused (403), none is a 401.
      options.httpAuth
        .credentials(req, { allow: ['service'] })
        .then(() => next(), next);
      return;
    }
    (async () => {
      const credentials = await options.httpAuth.credentials(req, {
        allow: ['user'],
      });
      if (route.permission) {
        const [decision] = await options.permissions.authorize(
          [{ permission: route.permission }],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `You need the ${route.permission.name} permission`,
          );
        }
      }
      const info = await options.userInfo.getUserInfo(credentials);
      (res.locals as Record<symbol, CallContext>)[CONTEXT] = {
        credentials,
        caller: {
          userRef: info.userEntityRef,
          ownershipRefs: info.ownershipEntityRefs,
        },
      };
    })().then(() => next(), next);
  };
}
