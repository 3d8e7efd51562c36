import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { runningSandbox } from './rootConfig';
import { createSandboxRouter } from './router';
import { VendorSandbox } from './VendorSandbox';

/**
 * The vendor sandbox's API for the example portal's Sandbox page
 * (/api/app-access-sandbox). Answers 404 when the sandbox is off.
 */
export function createSandboxPlugin(
  sandbox: () => VendorSandbox | undefined = runningSandbox,
) {
  return createBackendPlugin({
    pluginId: 'app-access-sandbox',
    register(reg) {
      reg.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
          permissions: coreServices.permissions,
          discovery: coreServices.discovery,
          logger: coreServices.logger,
        },
        async init(deps) {
          deps.httpRouter.use(await createSandboxRouter({ ...deps, sandbox }));
        },
      });
    },
  });
}

export const sandboxPlugin = createSandboxPlugin();
