import { LoggerService } from '@backstage/backend-plugin-api';
import { AppAccessUsageApi } from '@app-access/plugin-app-access-node';
import { OktaConfig, OktaSyncConfig } from '../config';
import { IncrementalSyncEngine } from './engine/IncrementalSyncEngine';
import { UsageSyncProgressStore } from './engine/SyncProgressStore';
import { OktaChangeRefresher } from './okta/OktaChangeRefresher';
import { OktaCheckpoint, OktaRunState } from './okta/OktaRunState';
import { OktaRunOptions, OktaSyncJob } from './okta/OktaSyncJob';
import { OktaUsageMapper } from './okta/OktaUsageMapper';
import { OktaSyncClient } from './OktaSyncClient';
import { OktaSyncStore } from './OktaSyncStore';
import { OktaThrottle } from './OktaThrottle';

export { INACTIVE_STATUSES } from './okta/OktaUsageMapper';
export { SYNC_EVENT_TYPES } from './okta/OktaSyncJob';

/** The sync's id in the core's sync state (GET /api/app-access/admin/sync). */
export const OKTA_SYNC_ID = 'okta';

export type OktaSyncResult = {
  status: 'finished' | 'skipped';
  mode?: 'full' | 'incremental';
  resumed: boolean;
  counts: Record<string, number>;
};

export type OktaSyncOptions = {
  okta: Pick<OktaConfig, 'orgUrl' | 'auth' | 'requestTimeoutMs'>;
  usage: AppAccessUsageApi;
  store: OktaSyncStore;
  logger: LoggerService;
  config?: Partial<OktaSyncConfig>;
  /** Requested page size, capped per list at Okta's maximum (default: the maximum). */
  pageSize?: number;
  /** Incremental runs read changes from this long before the last watermark (default 60 s). */
  overlapMs?: number;
  /** Back-off before retrying a 5xx / network error (default 2000 ms, doubling). */
  retryDelayMs?: number;
  /** Attempts per request for 5xx / network errors (default 4). */
  attempts?: number;
  /** Groups or apps read at the same time per family (default 4). */
  concurrency?: number;
  syncId?: string;
  /** Test seam for "now" (watermarks, schedule decisions). */
  now?: () => number;
};

/**
 * Reads the Okta org (users, groups and members, apps, who is assigned to
 * which app directly or through a group) and writes people and assignments
 * through the App Access usage API. See docs/okta.md, "Directory and usage
 * sync", for what it reads, how it resumes and how it stays under the limits.
 *
 * It only wires the parts: the generic engine (`engine/`) runs the Okta job
 * (`okta/OktaSyncJob`), whose readers (`okta/readers/`) read one Okta
 * resource each and whose mapper (`okta/OktaUsageMapper`) writes App Access.
 */
export class OktaSync {
  readonly client: OktaSyncClient;
  readonly throttle: OktaThrottle;
  private readonly engine: IncrementalSyncEngine<
    OktaRunState,
    OktaCheckpoint,
    OktaRunOptions
  >;

  constructor(options: OktaSyncOptions) {
    const config: OktaSyncConfig = {
      enabled: true,
      everyMinutes: 60,
      lastUsed: false,
      lastUsedLookbackDays: 7,
      fullEveryHours: 24,
      rateLimitReservePercent: 10,
      rateLimitReserveReleaseSeconds: 10,
      ...options.config,
    };
    this.throttle = new OktaThrottle({
      reservePercent: config.rateLimitReservePercent,
      reserveReleaseMs: config.rateLimitReserveReleaseSeconds * 1000,
      requestsPerMinute: config.requestsPerMinute,
    });
    this.client = new OktaSyncClient(options.okta, this.throttle, {
      attempts: options.attempts,
      retryDelayMs: options.retryDelayMs,
    });
    const mapper = new OktaUsageMapper(options.usage, options.store);
    const job = new OktaSyncJob({
      client: this.client,
      throttle: this.throttle,
      store: options.store,
      mapper,
      refresher: new OktaChangeRefresher({
        client: this.client,
        store: options.store,
        mapper,
        pageSize: options.pageSize,
        concurrency: options.concurrency,
      }),
      logger: options.logger,
      config,
      pageSize: options.pageSize,
      overlapMs: options.overlapMs,
      now: options.now ?? Date.now,
    });
    this.engine = new IncrementalSyncEngine(job, {
      name: 'Okta sync',
      progress: new UsageSyncProgressStore(
        options.usage,
        options.syncId ?? OKTA_SYNC_ID,
      ),
      logger: options.logger,
      concurrency: options.concurrency,
      meters: () => {
        const s = this.throttle.stats;
        return {
          throttledMs: s.throttledMs,
          http429: s.http429,
          requests: Object.values(s.requests).reduce((a, b) => a + b, 0),
          retries: this.client.retries,
        };
      },
    });
  }

  /**
   * One run: continues an unfinished one from its checkpoint, else a full
   * read (first run, every `fullEveryHours`, or `full: true`), else an
   * incremental one. Throws when the run fails; the checkpoint stays, so the
   * next run continues where this one stopped.
   */
  async run(
    options: { signal?: AbortSignal; full?: boolean } = {},
  ): Promise<OktaSyncResult> {
    const result = await this.engine.run(options);
    if (result.status === 'skipped') return result;
    return {
      status: 'finished',
      mode: result.run.mode,
      resumed: result.resumed,
      counts: result.counts,
    };
  }
}
