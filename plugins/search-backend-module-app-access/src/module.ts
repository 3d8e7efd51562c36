import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { APP_ACCESS_APPS_CHANGED_TOPIC } from '@app-access/plugin-app-access-common';
import { AppAccessCollatorFactory } from './collators/AppAccessCollatorFactory';
import { IndexRefresher } from './refresh';

/** Every ten minutes, from 15 seconds after start; a run gets 5 minutes. */
export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 5 },
  initialDelay: { seconds: 15 },
};

export function readSchedule(
  config: Config,
): SchedulerServiceTaskScheduleDefinition {
  const key = 'search.collators.appAccess.schedule';
  return config.has(key)
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig(key),
      )
    : DEFAULT_SCHEDULE;
}

/**
 * Indexes App Access's listed apps in Backstage search, on the schedule of
 * `search.collators.appAccess.schedule` and whenever an admin saves an app
 * (the `app-access.apps.changed` event of the events service).
 *
 * @public
 */
export const searchModuleAppAccessCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'app-access-collator',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        events: eventsServiceRef,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({
        config,
        discovery,
        auth,
        logger,
        scheduler,
        lifecycle,
        events,
        indexRegistry,
      }) {
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(readSchedule(config)),
          factory: AppAccessCollatorFactory.fromConfig(config, {
            discovery,
            auth,
            logger,
          }),
        });
        // An admin's save runs the collator's task now rather than at the
        // next scheduled run, so a new app is found, and an unlisted one
        // leaves the index, within seconds.
        const refresher = new IndexRefresher(scheduler, logger);
        lifecycle.addShutdownHook(() => refresher.stop());
        await events.subscribe({
          id: 'app-access-collator',
          topics: [APP_ACCESS_APPS_CHANGED_TOPIC],
          onEvent: () => refresher.refresh(),
        });
      },
    });
  },
});
