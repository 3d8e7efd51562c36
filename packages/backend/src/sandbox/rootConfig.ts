import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConfigSources, StaticConfigSource } from '@backstage/config-loader';
import { readOktaTargets, readPeople } from './seed';
import { SandboxTicketing, VendorSandbox } from './VendorSandbox';

/** Whether to start the sandbox, and why not. */
export function sandboxDecision(
  config: Config,
  nodeEnv: string | undefined,
): { start: boolean; reason?: string } {
  if (!config.getOptionalBoolean('appAccess.sandbox.enabled')) {
    return { start: false };
  }
  if (nodeEnv === 'production') {
    return {
      start: false,
      reason:
        'appAccess.sandbox.enabled is true but NODE_ENV is production: the vendor sandbox (fake Okta, Jira, Zendesk, Slack, Teams and SMTP) is for the example portal only and was NOT started',
    };
  }
  return { start: true };
}

/**
 * The files the sandbox seeds its vendors from: the catalog's file
 * locations (people) and appAccess.catalog.seedFiles (Okta groups and apps),
 * relative to the backend's working directory like the catalog reads them.
 */
function seedFiles(config: Config) {
  const locations = (config.getOptionalConfigArray('catalog.locations') ?? [])
    .filter(l => l.getString('type') === 'file')
    .map(l => path.resolve(l.getString('target')));
  const apps = (
    config.getOptionalStringArray('appAccess.catalog.seedFiles') ?? []
  ).map(f => path.resolve(f));
  return { locations, apps };
}

/** The running sandbox, for the sandbox plugin's routes. */
let running: VendorSandbox | undefined;

export function runningSandbox(): VendorSandbox | undefined {
  return running;
}

/** Starts the sandbox from config and returns the config overlay that points the modules at it. */
export async function startSandbox(config: Config): Promise<VendorSandbox> {
  const files = seedFiles(config);
  const ticketing = (config.getOptionalString('appAccess.sandbox.ticketing') ??
    'jira') as SandboxTicketing;
  if (!['jira', 'zendesk'].includes(ticketing)) {
    throw new Error(
      `Invalid config appAccess.sandbox.ticketing '${ticketing}': expected jira or zendesk`,
    );
  }
  const sandbox = await VendorSandbox.start({
    ticketing,
    followEveryMinutes: config.getOptionalNumber(
      'appAccess.sandbox.followEveryMinutes',
    ),
    seed: {
      people: readPeople(files.locations),
      ...readOktaTargets(files.apps),
    },
  });
  running = sandbox;
  return sandbox;
}

/**
 * The backend's root config, plus, when `appAccess.sandbox.enabled` is true
 * (and NODE_ENV is not production), the vendor modules' settings pointing
 * at a freshly started vendor sandbox. The modules read their config as
 * usual; nothing in them knows about the sandbox.
 */
export const sandboxRootConfigServiceFactory = createServiceFactory({
  service: coreServices.rootConfig,
  deps: {},
  async factory() {
    const source = ConfigSources.default({});
    console.log(`Loading config from ${source}`);
    const config = await ConfigSources.toConfig(source);
    const decision = sandboxDecision(config, process.env.NODE_ENV);
    if (decision.reason) console.error(decision.reason);
    if (!decision.start) return config;
    const sandbox = await startSandbox(config);
    console.log(
      'Vendor sandbox started: Okta, Jira Service Management, Zendesk, Slack, Teams and SMTP stand-ins on 127.0.0.1 (appAccess.sandbox.enabled)',
    );
    process.once('exit', () => {
      sandbox.stop();
    });
    return ConfigSources.toConfig(
      ConfigSources.merge([
        source,
        StaticConfigSource.create({
          data: sandbox.configOverlay(),
          context: 'vendor sandbox',
        }),
      ]),
    );
  },
});
