import { NotFoundError } from '@backstage/errors';
import {
  UsageHistory,
  UsageInsight as UsageInsightResult,
} from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { UsageInsight } from '../usage/UsageInsight';

/** Usage insight for admins: per app and tier usage and money, and each app's daily series. */
export class UsageInsightService {
  constructor(
    private readonly deps: {
      insight: UsageInsight;
      apps: AppStore;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  async get(): Promise<UsageInsightResult> {
    return this.deps.insight.compute(this.now());
  }

  async history(appId: string, days: number): Promise<UsageHistory> {
    if (!(await this.deps.apps.get(appId))) {
      throw new NotFoundError(`No app '${appId}'`);
    }
    return {
      appId,
      points: await this.deps.insight.history(appId, days, this.now()),
    };
  }
}
