import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  search?: {
    collators?: {
      /** The App Access collator (@app-access/plugin-search-backend-module-app-access). */
      appAccess?: {
        /**
         * How often the listed apps are re-read into the index; default every
         * 10 minutes, 15 seconds after start, 5 minutes per run. An app an
         * admin saves shows in search after the next run.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * Where the App Access page is mounted in the portal; search results
         * link to `<appAccessPath>/<appId>`. Default `/apps`.
         */
        appAccessPath?: string;
      };
    };
  };
}
