import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { APP_ACCESS_DOCUMENT_TYPE } from './collators/AppAccessCollatorFactory';

/**
 * The id under which Backstage search schedules a collator's task:
 * `search_index_<type>` with the type's first `-` as `_`, lower-cased (see
 * `IndexBuilder` in `@backstage/plugin-search-backend-node`). The module's
 * test runs the real search plugin, so a change there fails it.
 */
export const COLLATOR_TASK_ID = `search_index_${APP_ACCESS_DOCUMENT_TYPE.replace(
  '-',
  '_',
).toLowerCase()}`;

/** How often a refresh that met a running collation is tried again, and for how long. */
export const RETRY = { everyMs: 5_000, forMs: 5 * 60_000 };

/**
 * Runs the collator's scheduled task now, through the scheduler (in a
 * cluster, whichever replica holds the task runs it once). A refresh asked
 * for while a collation runs may have been missed by it, so it is tried
 * again until that run has finished; requests that arrive meanwhile are one
 * refresh.
 */
export class IndexRefresher {
  private retry?: ReturnType<typeof setTimeout>;
  private retryUntil = 0;
  private stopped = false;

  constructor(
    private readonly scheduler: Pick<SchedulerService, 'triggerTask'>,
    private readonly logger: LoggerService,
    private readonly options: {
      taskId?: string;
      retryEveryMs?: number;
      retryForMs?: number;
    } = {},
  ) {}

  private get taskId() {
    return this.options.taskId ?? COLLATOR_TASK_ID;
  }

  /** Asks for a refresh; resolves once the scheduler took (or deferred) it, never rejects. */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    if (this.retry) return; // a refresh is already waiting for the running one
    try {
      await this.scheduler.triggerTask(this.taskId);
      this.logger.info(
        `Refreshing the App Access search index (task ${this.taskId}): an app was saved`,
      );
      this.retryUntil = 0;
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'ConflictError') {
        // Already collating: that run may have read the apps before the save.
        this.scheduleRetry();
      } else if (name === 'NotFoundError') {
        // Search has not scheduled its tasks yet; its first run reads everything.
        this.logger.debug(
          `Search task ${this.taskId} is not scheduled yet; its first run will include the saved app`,
        );
      } else {
        this.logger.warn(
          `Could not refresh the App Access search index (task ${this.taskId}): ${error}; the next scheduled run will`,
        );
      }
    }
  }

  private scheduleRetry() {
    const now = Date.now();
    if (!this.retryUntil) {
      this.retryUntil = now + (this.options.retryForMs ?? RETRY.forMs);
    }
    if (now >= this.retryUntil) {
      this.logger.warn(
        `The App Access search index was still collating after ${
          (this.options.retryForMs ?? RETRY.forMs) / 1000
        }s; the next scheduled run will include the saved app`,
      );
      this.retryUntil = 0;
      return;
    }
    const retry = setTimeout(() => {
      this.retry = undefined;
      void this.refresh();
    }, this.options.retryEveryMs ?? RETRY.everyMs);
    retry.unref?.();
    this.retry = retry;
  }

  /** Drops a waiting retry (backend shutdown). */
  stop() {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }
}
