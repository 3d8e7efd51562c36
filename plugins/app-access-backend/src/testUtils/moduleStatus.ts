import { BackendFeature } from '@backstage/backend-plugin-api';
import { IntegrationStatus } from '@app-access/plugin-app-access-common';
import { startCoreTestBackend } from './coreTestBackend';

const EMPTY_SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps: []
`;

/** What an admin sees of a module on the settings page, and what it scheduled. */
export type ModuleStatusView = {
  integrations: Record<string, IntegrationStatus>;
  /** Fulfiller and notifier ids the core has, its own included. */
  modules: { fulfillers: string[]; notifiers: string[] };
  /** Ids of the tasks scheduled during start-up, the core's included. */
  tasks: string[];
};

/**
 * Starts the real core with one module and the given `appAccess` config,
 * reads `GET /settings` as an admin would, and stops again.
 */
export async function readModuleStatus(options: {
  module: BackendFeature;
  /** The `appAccess` block; the module's own section left out means unconfigured. */
  appAccess?: Record<string, unknown>;
}): Promise<ModuleStatusView> {
  const backend = await startCoreTestBackend({
    features: [options.module],
    seedYaml: EMPTY_SEED_YAML,
    entities: [],
    scheduler: 'manual',
    config: {
      backend: { baseUrl: 'http://localhost:7007' },
      appAccess: options.appAccess ?? {},
    },
  });
  try {
    const res = await backend.api(
      'GET',
      '/settings',
      'user:default/ivan.admin',
    );
    if (res.status !== 200) {
      throw new Error(
        `GET /settings answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    }
    return {
      integrations: res.body.integrations,
      modules: res.body.modules,
      tasks: [...backend.tasks.keys()].sort(),
    };
  } finally {
    await backend.stop();
  }
}
