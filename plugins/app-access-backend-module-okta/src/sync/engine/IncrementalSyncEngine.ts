import { LoggerService } from '@backstage/backend-plugin-api';
import { SyncProgressStore } from './SyncProgressStore';
import { SyncReader } from './SyncReader';

/** What the engine keeps of every run; a job adds its own stages and streams. */
export type SyncRunState = {
  /** Run time summed over attempts (a resumed run keeps counting). */
  activeMs: number;
  attempts: number;
  counts: Record<string, number>;
};

/** The checkpoint saved with the progress: the unfinished run, if any, and what the job keeps between runs. */
export type SyncCheckpoint<TRun extends SyncRunState> = { run?: TRun };

/** Where a list's read stands: the cursor of its next page (saved as JSON in the checkpoint). */
export type CursorSlot<TCursor = string> = { after?: TCursor };

/**
 * Where a read over many items (the members of each group, say) stands:
 * every id up to `frontier` is finished, and `finished` past it, and the
 * items half-way have the cursor of their next page in `partial`.
 */
export type ItemsProgress = {
  frontier?: string;
  finished?: string[];
  partial?: Record<string, string>;
};

/** What a job's stages use of the engine while a run is going on. */
export interface SyncRunControls {
  /** Aborted when the caller stops the run or another part of it failed. */
  readonly signal: AbortSignal;
  save(): Promise<void>;
  countPage(family: string): void;
  read<T, TCursor = string>(
    reader: SyncReader<T, TCursor>,
    cursor: CursorSlot<TCursor>,
    onPage: (items: T[]) => Promise<void>,
  ): Promise<void>;
  eachItem(
    progress: ItemsProgress,
    list: (after: string | undefined) => Promise<string[]>,
    read: (id: string, cursor: CursorSlot) => Promise<void>,
  ): Promise<void>;
  parallel(tasks: Array<() => Promise<void>>): Promise<void>;
}

/** A source's sync as the engine drives it: how runs start, what they do, and what a finished one leaves. */
export interface SyncJob<
  TRun extends SyncRunState,
  TCheckpoint extends SyncCheckpoint<TRun>,
  TOptions,
> {
  /** Whether the unfinished run of the checkpoint is continued (else a new one starts). */
  resumes(run: TRun, options: TOptions): boolean;
  /** A new run; called before it is saved, so a crash in between starts another new one. */
  newRun(checkpoint: TCheckpoint, options: TOptions): Promise<TRun>;
  execute(run: TRun, controls: SyncRunControls): Promise<void>;
  /** The checkpoint a finished run leaves for the next one. */
  finished(run: TRun, checkpoint: TCheckpoint): TCheckpoint;
  describeStart(run: TRun, resumed: boolean): string;
  describeFinish(run: TRun): string;
}

export type SyncRunResult<TRun extends SyncRunState> =
  | { status: 'skipped'; resumed: false; counts: Record<string, number> }
  | {
      status: 'finished';
      run: TRun;
      resumed: boolean;
      counts: Record<string, number>;
    };

export type IncrementalSyncEngineOptions = {
  /** Names the sync in log lines, e.g. "Okta sync". */
  name: string;
  progress: SyncProgressStore;
  logger: LoggerService;
  /** Items of an `eachItem` read at the same time (default 4). */
  concurrency?: number;
  /**
   * Counters kept outside the run (requests, retries, time waited for rate
   * limits), as running totals: their growth is added to the run's counts
   * at every save, so a resumed run keeps them.
   */
  meters?: () => Record<string, number>;
};

/**
 * An error's message short enough for a log line and the admin page: a
 * database error's message carries the whole statement, thousands of
 * parameters long.
 */
function shortMessage(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  return message.length > 500
    ? `${message.slice(0, 240)} … ${message.slice(-240)}`
    : message;
}

/**
 * Drives a resumable sync of a source it knows nothing about: one run at a
 * time, continued from its checkpoint after a stop or a failure; readers read
 * a page at a time and the cursor is saved after each page; progress counts
 * and checkpoints are saved serialized and coalesced; a failure in one part
 * stops the others at their next page. Modelled on the engine of Backstage's
 * catalog-backend-module-incremental-ingestion.
 */
export class IncrementalSyncEngine<
  TRun extends SyncRunState,
  TCheckpoint extends SyncCheckpoint<TRun>,
  TOptions = {},
> implements SyncRunControls
{
  private running = false;
  private checkpoint = {} as TCheckpoint;
  private saving?: Promise<void>;
  private saveAgain = false;
  private mark: Record<string, number> = {};
  /** Stops every part of the current run (on the caller's signal or a failure). */
  private stop = new AbortController();
  /** The error that stopped the current run. */
  private failure?: unknown;
  private current: AbortSignal = new AbortController().signal;

  constructor(
    private readonly job: SyncJob<TRun, TCheckpoint, TOptions>,
    private readonly options: IncrementalSyncEngineOptions,
  ) {}

  get signal(): AbortSignal {
    return this.current;
  }

  /**
   * One run: continues an unfinished one from its checkpoint, else starts
   * the job's new one. Throws when the run fails; the checkpoint stays, so
   * the next run continues where this one stopped.
   */
  async run(
    options: TOptions & { signal?: AbortSignal },
  ): Promise<SyncRunResult<TRun>> {
    if (this.running) {
      return { status: 'skipped', resumed: false, counts: {} };
    }
    this.running = true;
    const { name, progress, logger } = this.options;
    const attemptStart = Date.now();
    const external = options.signal ?? new AbortController().signal;
    this.stop = new AbortController();
    this.failure = undefined;
    const signal = AbortSignal.any([external, this.stop.signal]);
    this.current = signal;
    let run: TRun | undefined;
    let resumed = false;
    try {
      const state = await progress.load();
      const checkpoint = { ...(state?.checkpoint ?? {}) } as TCheckpoint;
      if (checkpoint.run && this.job.resumes(checkpoint.run, options)) {
        run = checkpoint.run;
        run.attempts += 1;
        run.counts.resumes = (run.counts.resumes ?? 0) + 1;
        resumed = true;
      } else {
        run = await this.job.newRun(checkpoint, options);
      }
      this.checkpoint = { ...checkpoint, run };
      this.resetMark();
      await progress.save({
        status: 'running',
        lastStartedAt: new Date(attemptStart).toISOString(),
        checkpoint: this.checkpoint,
        lastCounts: run.counts,
      });
      logger.info(this.job.describeStart(run, resumed));

      await this.job.execute(run, this);

      this.foldMeters(run);
      run.activeMs += Date.now() - attemptStart;
      this.checkpoint = this.job.finished(run, this.checkpoint);
      await this.flushSaves();
      await progress.save({
        status: 'idle',
        checkpoint: this.checkpoint,
        lastFinishedAt: new Date().toISOString(),
        lastDurationMs: run.activeMs,
        lastCounts: run.counts,
        lastError: undefined,
      });
      logger.info(this.job.describeFinish(run));
      return { status: 'finished', run, resumed, counts: run.counts };
    } catch (error) {
      const stopped = external.aborted;
      const message = stopped
        ? `Stopped before finishing (${
            (external.reason as Error)?.message ?? 'aborted'
          }); the next run continues from the checkpoint`
        : `${shortMessage(error)}${
            run ? '; the next run continues from the checkpoint' : ''
          }`;
      try {
        await this.flushSaves().catch(() => undefined);
        if (run) {
          this.foldMeters(run);
          run.activeMs += Date.now() - attemptStart;
        }
        await progress.save({
          status: 'failed',
          ...(run
            ? { checkpoint: this.checkpoint, lastCounts: run.counts }
            : {}),
          lastFinishedAt: new Date().toISOString(),
          lastDurationMs: Date.now() - attemptStart,
          lastError: message,
        });
      } catch (saveError) {
        logger.warn(
          `${name}: could not record the failure: ${
            (saveError as Error).message
          }`,
        );
      }
      logger.warn(`${name} failed: ${message}`);
      throw stopped ? new Error(message) : error;
    } finally {
      this.running = false;
    }
  }

  private resetMark() {
    this.mark = { ...(this.options.meters?.() ?? {}) };
  }

  /** Adds what the meters counted since the last fold to the run's counts. */
  private foldMeters(run: TRun) {
    const before = this.mark;
    this.resetMark();
    for (const [key, value] of Object.entries(this.mark)) {
      run.counts[key] =
        (run.counts[key] ?? 0) + Math.round(value - (before[key] ?? 0));
    }
  }

  /**
   * Saves the checkpoint (and progress counts). Saves are serialized and
   * coalesced: every caller's change is in a save that finished when its
   * promise resolves. Callers change the run state only after the data it
   * describes is stored, so a checkpoint never claims unsaved work.
   */
  save(): Promise<void> {
    this.saveAgain = true;
    if (!this.saving) {
      this.saving = (async () => {
        try {
          while (this.saveAgain) {
            this.saveAgain = false;
            const run = this.checkpoint.run;
            if (run) this.foldMeters(run);
            await this.options.progress.save({
              checkpoint: JSON.parse(JSON.stringify(this.checkpoint)),
              ...(run ? { lastCounts: { ...run.counts } } : {}),
            });
          }
        } finally {
          this.saving = undefined;
        }
      })();
    }
    return this.saving;
  }

  private async flushSaves() {
    while (this.saving) await this.saving;
  }

  /** Counts a page read, in `pages` and `pages<Family>`. */
  countPage(family: string) {
    const counts = this.checkpoint.run?.counts;
    if (!counts) return;
    counts.pages = (counts.pages ?? 0) + 1;
    const key = `pages${family[0].toUpperCase()}${family.slice(1)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }

  /**
   * Reads every page from `cursor.after` on, saving the cursor after each
   * page (once `onPage` has stored the page's data).
   */
  async read<T, TCursor = string>(
    reader: SyncReader<T, TCursor>,
    cursor: CursorSlot<TCursor>,
    onPage: (items: T[]) => Promise<void>,
  ) {
    const signal = this.current;
    for (;;) {
      signal.throwIfAborted();
      const page = await reader.next({ signal }, cursor.after);
      this.countPage(reader.family);
      await onPage(page.items);
      if (page.done) return;
      cursor.after = page.cursor;
      await this.save();
    }
  }

  /**
   * Reads every item in id order, `concurrency` at a time; resumable at the
   * page within each item (see `ItemsProgress`).
   */
  async eachItem(
    progress: ItemsProgress,
    list: (after: string | undefined) => Promise<string[]>,
    read: (id: string, cursor: CursorSlot) => Promise<void>,
  ) {
    const ids = await list(progress.frontier);
    const finished = new Set(progress.finished ?? []);
    const partial = (progress.partial ??= {});
    const todo = ids.filter(id => !finished.has(id));
    let position = 0;
    const advance = () => {
      while (position < ids.length && finished.has(ids[position])) {
        progress.frontier = ids[position];
        finished.delete(ids[position]);
        position += 1;
      }
      progress.finished = [...finished];
    };
    advance();
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        this.stop.signal.throwIfAborted();
        const id = todo[next++];
        const cursor = {
          get after() {
            return partial[id];
          },
          set after(value: string | undefined) {
            if (value) partial[id] = value;
            else delete partial[id];
          },
        };
        await read(id, cursor);
        delete partial[id];
        finished.add(id);
        advance();
        await this.save();
      }
    };
    await this.parallel(
      Array.from(
        { length: Math.max(1, this.options.concurrency ?? 4) },
        () => worker,
      ),
    );
  }

  /**
   * Runs tasks side by side. When one fails the run stops everywhere at the
   * next page, and the first real error is thrown.
   */
  async parallel(tasks: Array<() => Promise<void>>) {
    let failed = false;
    await Promise.all(
      tasks.map(task =>
        task().catch(error => {
          failed = true;
          if (!this.stop.signal.aborted) {
            this.failure = error;
            this.stop.abort(new Error('another part of the sync failed'));
          }
        }),
      ),
    );
    if (failed) throw this.failure ?? this.stop.signal.reason;
  }
}
