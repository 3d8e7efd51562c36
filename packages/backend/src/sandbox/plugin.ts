import {
  DiscoveryService,
  LoggerService,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
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
        },
        async init({ lifecycle, ...deps }) {
          deps.httpRouter.use(await createSandboxRouter({ ...deps, sandbox }));
          // As IT would from the Teams admin centre: the App Access app is
          // installed for everyone, so the bot can reach every approver.
          lifecycle.addStartupHook(() => {
            const running = sandbox();
            if (running) {
              installTeamsAppForEveryone(running, deps, options).catch(e =>
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
  deps: { discovery: DiscoveryService; logger: LoggerService },
  options: { installRetryMs?: number; installTries?: number },
) {
  const installs = await sandbox.teamsInstalls();
  if (installs.length === 0) return;
  const tries = options.installTries ?? 30;
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
    await new Promise(resolve =>
      setTimeout(resolve, options.installRetryMs ?? 2000).unref(),
    );
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
