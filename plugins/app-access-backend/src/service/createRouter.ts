import express from 'express';
import Router from 'express-promise-router';
import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { createOpenApiRouter, spec } from '../schema/openapi/generated/router';
import { AppAccessServices } from '../services';
import { createAccessGuard } from './accessGuard';
import { createTextInputGuard } from './textInputGuard';
import { createValidationErrorFormatter } from './validationErrors';
import { bindAccessEndpoints } from './endpoints/access.router';
import { bindAdminAppEndpoints } from './endpoints/adminApps.router';
import { bindAdminRequestEndpoints } from './endpoints/adminRequests.router';
import { bindLeaverEndpoints } from './endpoints/leavers.router';
import { bindApprovalEndpoints } from './endpoints/approvals.router';
import { bindAuditEndpoints } from './endpoints/audit.router';
import { bindCatalogEndpoints } from './endpoints/catalog.router';
import { bindMetaEndpoints } from './endpoints/meta.router';
import { bindRequestEndpoints } from './endpoints/requests.router';
import { bindSettingsEndpoints } from './endpoints/settings.router';
import { bindUsageEndpoints } from './endpoints/usage.router';
import { bindCampaignEndpoints } from './endpoints/campaigns.router';
import { createEndpointContext } from './endpoints/types';

export type RouterOptions = {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
  services: AppAccessServices;
  /**
   * Also check every response against openapi.yaml (tests): a response that
   * breaks the contract becomes a 500 naming the difference.
   */
  validateResponses?: boolean;
};

/**
 * The App Access HTTP API. openapi.yaml declares every route; this only
 * binds each resource's routes to the services that own the work. In order:
 * the JSON body (256 kB at most), who is calling and whether they may
 * (`x-permission`), the request against the spec, no control characters in
 * its text, then the route.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { services } = options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  router.use(
    createAccessGuard({
      spec,
      httpAuth: options.httpAuth,
      userInfo: options.userInfo,
      permissions: options.permissions,
    }),
  );

  const api = await createOpenApiRouter({
    // The body is parsed above, so that a body over the limit stays a 413.
    middleware: [(_req, _res, next) => next()],
    validatorOptions: {
      // Who is calling was settled by the guard above, against the same spec.
      validateSecurity: false,
      ...(options.validateResponses
        ? { validateResponses: { removeAdditional: false } }
        : {}),
    },
  });
  api.use(createTextInputGuard(spec as any));
  const context = createEndpointContext(options);
  bindMetaEndpoints(api);
  bindCatalogEndpoints(api, services.catalog, services.people);
  bindRequestEndpoints(api, context, services.requests);
  bindApprovalEndpoints(api, context, services.requests);
  bindSettingsEndpoints(api, context, services.settings);
  bindAdminAppEndpoints(api, context, services.apps);
  bindAdminRequestEndpoints(api, context, services.requests, services.outbox);
  bindAuditEndpoints(api, services.audit, services.checklist);
  bindAccessEndpoints(api, context, services.access);
  bindLeaverEndpoints(api, services.leavers);
  bindUsageEndpoints(api, services.usage);
  bindCampaignEndpoints(api, context, services.campaigns);
  api.use(createValidationErrorFormatter(spec as any));
  router.use(api);
  return router;
}
