import {
  AuthService,
  DiscoveryService,
  LoggerService,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { runningSandbox } from './rootConfig';
import { createSandboxRouter, deliverTeamsActivity } from './router';
import { VendorSandbox } from './VendorSandbox';

/**
 * The vendor sandbox's API for the example portal's Sandbox page
 * (/api/app-access-sandbox). Answers 404 when the sandbox is off.
 */
export function createSandboxPlugin(
  sandbox: () => VendorSandbox | undefined = runningSandbox,
  options: { installRetryMs?: number; installTries?: number } = {},
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
          lifecycle: coreServices.lifecycle,
          catalog: catalogServiceRef,
          auth: coreServices.auth,
        },
        async init({ lifecycle, catalog, auth, ...deps }) {
          deps.httpRouter.use(await createSandboxRouter({ ...deps, sandbox }));
          // As IT would from the Teams admin centre: the App Access app is
          // installed for everyone, so the bot can reach every approver.
          lifecycle.addStartupHook(() => {
            const running = sandbox();
            if (running) {
              installTeamsAppForEveryone(
                running,
                { ...deps, catalog, auth },
                options,
              ).catch(e =>
                deps.logger.warn(
                  `Sandbox: could not install the Teams app: ${e.message}`,
                ),
              );
            }
          });
        },
      });
    },
  });
}

/**
 * Posts every person's install to the bot's messaging endpoint, once it
 * answers (the backend may not serve yet when the startup hooks run).
 */
async function installTeamsAppForEveryone(
  sandbox: VendorSandbox,
  deps: {
    discovery: DiscoveryService;
    logger: LoggerService;
    catalog: CatalogService;
    auth: AuthService;
  },
  options: { installRetryMs?: number; installTries?: number },
) {
  const tries = options.installTries ?? 60;
  const pause = () =>
    new Promise(resolve =>
      setTimeout(resolve, options.installRetryMs ?? 2000).unref(),
    );
  // Teams sends an install once: the bot maps it to a catalog person then,
  // so wait until the catalog has read everyone of the example org.
  const refs = sandbox.peopleRefs();
  for (let attempt = 1; ; attempt++) {
    const { items } = await deps.catalog.getEntitiesByRefs(
      { entityRefs: refs, fields: ['kind'] },
      { credentials: await deps.auth.getOwnServiceCredentials() },
    );
    if (items.every(Boolean)) break;
    if (attempt >= tries) {
      deps.logger.warn(
        `Sandbox: ${
          items.filter(i => !i).length
        } people of the example org are not in the catalog yet; installing the Teams app anyway`,
      );
      break;
    }
    await pause();
  }
  const installs = await sandbox.teamsInstalls();
  if (installs.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    let status: number | string;
    try {
      status = (await deliverTeamsActivity(deps.discovery, installs[0])).status;
    } catch (error) {
      status = (error as Error).message;
    }
    if (status === 200) break;
    if (attempt >= tries) {
      throw new Error(
        `the bot's messaging endpoint answered ${status} (is the msteams module installed?)`,
      );
    }
    await pause();
  }
  let installed = 1;
  for (const install of installs.slice(1)) {
    const { status } = await deliverTeamsActivity(deps.discovery, install);
    if (status === 200) installed += 1;
  }
  deps.logger.info(
    `Sandbox: the App Access Teams app is installed for ${installed} of ${installs.length} people`,
  );
}

export const sandboxPlugin = createSandboxPlugin();
