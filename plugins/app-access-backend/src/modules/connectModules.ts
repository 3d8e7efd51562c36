import {
  AppAccessDecisionApi,
  AppAccessFollower,
  AppAccessFulfiller,
  AppAccessFulfillerConnection,
  AppAccessFulfillmentApi,
  AppAccessNotifier,
  AppAccessUsageApi,
  AppAccessUsageSource,
} from '@app-access/plugin-app-access-node';

/** What the modules registered on the extension points. */
export type RegisteredModules = {
  fulfillers: AppAccessFulfiller[];
  followers: AppAccessFollower[];
  notifiers: AppAccessNotifier[];
  usageSources: AppAccessUsageSource[];
};

/** The built core's side of each connection. */
export type ModuleConnections = {
  fulfillerConnection(): AppAccessFulfillerConnection;
  fulfillmentApi(): AppAccessFulfillmentApi;
  decisionApi(): AppAccessDecisionApi;
  usageApi(): AppAccessUsageApi;
};

/**
 * Hands every registered module its connection to the core, once the core
 * is built and before the backend serves or the worker starts: a module
 * cannot reach the core earlier, because it has nothing to reach it with.
 * A module whose connect fails fails start-up, naming the module.
 */
export async function connectModules(
  modules: RegisteredModules,
  core: ModuleConnections,
): Promise<void> {
  const named = async (what: string, connect: () => unknown) => {
    try {
      await connect();
    } catch (error) {
      throw new Error(
        `App Access could not connect ${what}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  await Promise.all([
    ...modules.fulfillers.map(f =>
      named(`fulfiller ${f.handles.join('/')}`, () =>
        f.connect?.(core.fulfillerConnection()),
      ),
    ),
    ...modules.notifiers.map(n =>
      named(`notifier ${n.id}`, () => n.connect?.(core.decisionApi())),
    ),
    ...modules.followers.map(f =>
      named(`follower ${f.id}`, () => f.connect(core.fulfillmentApi())),
    ),
    ...modules.usageSources.map(s =>
      named(`usage source ${s.id}`, () => s.connect(core.usageApi())),
    ),
  ]);
}
