import { IntegrationStatus } from '@app-access/plugin-app-access-common';
import { AppAccessModuleInfo } from '@app-access/plugin-app-access-node';

/** The vendor modules the settings page always has a line for. */
export const KNOWN_MODULES = [
  'email',
  'slack',
  'msteams',
  'okta',
  'jira',
  'zendesk',
] as const;

export type KnownModule = (typeof KNOWN_MODULES)[number];

/**
 * What each installed vendor module said about itself at start-up. The
 * modules read their own config: the core knows their ids, never their keys.
 */
export class ModuleRegistry {
  private readonly modules = new Map<string, AppAccessModuleInfo>();

  constructor(modules: AppAccessModuleInfo[] = []) {
    for (const info of modules) this.add(info);
  }

  add(info: AppAccessModuleInfo) {
    if (this.modules.has(info.id)) {
      throw new Error(
        `App Access module '${info.id}' is installed twice; remove one of the two backend.add(...) lines`,
      );
    }
    // A copy: the module keeps its arrays, the page shows what it reported.
    this.modules.set(info.id, {
      ...info,
      missing: [...info.missing],
      details: info.details ? { ...info.details } : undefined,
    });
  }

  /**
   * The settings page's integrations: a line for every known module (not
   * installed when it did not register) and for any other that registered.
   */
  integrations(): Record<KnownModule, IntegrationStatus> &
    Record<string, IntegrationStatus> {
    const result: Record<string, IntegrationStatus> = {};
    for (const id of KNOWN_MODULES) {
      result[id] = { installed: false, configured: false };
    }
    for (const info of this.modules.values()) {
      result[info.id] = {
        installed: true,
        configured: info.configured,
        ...(info.missing.length ? { missing: [...info.missing] } : {}),
        ...(info.details ? { details: { ...info.details } } : {}),
      };
    }
    return result as Record<KnownModule, IntegrationStatus>;
  }
}
