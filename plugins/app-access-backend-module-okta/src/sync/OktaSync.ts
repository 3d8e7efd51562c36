import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppAccessUsageApi,
  UsagePerson,
  UsageWriteOptions,
} from '@app-access/plugin-app-access-node';
import { OktaConfig, OktaSyncConfig } from '../config';
import { OktaSyncClient } from './OktaSyncClient';
import { abortableSleep, OktaThrottle } from './OktaThrottle';
import {
  CORE_USAGE_TABLES,
  MIRROR_TABLES,
  MirrorApp,
  MirrorUser,
  OktaSyncStore,
} from './OktaSyncStore';
import { groupRefFor, userRefCandidates } from './refs';

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

/** The sync's id in the core's sync state (GET /api/app-access/admin/sync). */
export const OKTA_SYNC_ID = 'okta';

/** Okta user statuses that count as "no longer here": their assignments go. */
export const INACTIVE_STATUSES = new Set(['DEPROVISIONED', 'SUSPENDED']);

/** System Log events an incremental run reads (see docs/okta.md). */
export const SYNC_EVENT_TYPES = [
  'group.user_membership.add',
  'group.user_membership.remove',
  'application.user_membership.add',
  'application.user_membership.remove',
  'application.user_membership.change_username',
  'group.application_assignment.add',
  'group.application_assignment.remove',
  'group.application_assignment.update',
  'application.lifecycle.create',
  'application.lifecycle.update',
  'application.lifecycle.activate',
  'application.lifecycle.deactivate',
  'application.lifecycle.delete',
  'group.lifecycle.create',
  'group.lifecycle.delete',
  'group.profile.update',
  'user.lifecycle.delete.completed',
];

/** Okta's maximum page size per list. */
const MAX_PAGE = {
  users: 200,
  groups: 10000,
  groupUsers: 1000,
  apps: 200,
  appGroups: 200,
  appUsers: 500,
  logs: 1000,
};

/** Above this many changed assignments of one app, read its users list instead. */
const PAIRS_PER_APP_REREAD = 100;

const RESOLVE_BATCH = 500;
/** Batches written at the same time (the core's writes wait on the database). */
const RESOLVE_CONCURRENCY = 3;
const DAY = 24 * 3600_000;

type StreamState = {
  done: boolean;
  phase: string;
  /** Page cursor of the current list. */
  after?: string;
  /** Per-item phases (members of each group, users of each app): every id up to here is finished … */
  frontier?: string;
  /** … and these later ones too (items are read a few at a time) … */
  finished?: string[];
  /** … and these are half-way: id → cursor of their next page. */
  partial?: Record<string, string>;
};

type RunState = {
  id: string;
  mode: 'full' | 'incremental';
  startedAt: string;
  /** Changes up to here are covered by this run; the next run starts from it. */
  watermark: string;
  /** Incremental: changes since then are read (the last watermark minus an overlap). */
  from?: string;
  lastUsedFrom: string;
  stage: 'read' | 'refresh' | 'resolve' | 'lastUsed';
  streams: Record<string, StreamState>;
  /**
   * Full runs write in two passes over the mirror's users (in id order):
   * `people` (people and group assignments, started as soon as users, group
   * members and app groups are read) and `direct` (direct assignments, and
   * users gone from Okta, once app users are read).
   */
  passes?: Partial<Record<'people' | 'direct', PassState>>;
  /** Run time summed over attempts (a resumed run keeps counting). */
  activeMs: number;
  attempts: number;
  counts: Record<string, number>;
};

/** A pass over users, in batches a few at a time: like per-item phases, a frontier plus finished batches. */
type PassState = {
  done: boolean;
  /** Every user id up to here is done … */
  frontier?: string;
  /** … and the batches ending in these ids past it. */
  finished?: string[];
};

type ResolvePart = 'people' | 'direct' | 'all';

type Checkpoint = {
  /** Watermark of the last finished run. */
  since?: string;
  lastFullAt?: string;
  lastUsedSince?: string;
  lastMode?: 'full' | 'incremental';
  /** The unfinished run, if any: the next run continues it. */
  run?: RunState;
};

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

const COUNT_KEYS = [
  'full',
  'users',
  'groups',
  'apps',
  'memberships',
  'appGroups',
  'appUsers',
  'events',
  'refreshed',
  'resolved',
  'people',
  'peopleFromCatalog',
  'assignments',
  'assignmentsDirect',
  'assignmentsGroup',
  'deactivated',
  'removed',
  'lastUsed',
  'pages',
  'pagesUsers',
  'pagesGroups',
  'pagesApps',
  'pagesLogs',
  'requests',
  'throttledMs',
  'http429',
  'retries',
  'resumes',
];

type OktaUserJson = {
  id: string;
  status?: string;
  lastUpdated?: string;
  profile?: Record<string, unknown> & { login?: string; email?: string };
};
type OktaGroupJson = { id: string; type?: string; profile?: { name?: string } };
type OktaAppJson = {
  id: string;
  name?: string;
  label?: string;
  status?: string;
  _links?: {
    logo?: Array<{ href?: string }>;
    appLinks?: Array<{ href?: string }>;
  };
};
type OktaLogEvent = {
  uuid: string;
  published: string;
  eventType: string;
  actor?: { id?: string; type?: string };
  target?: Array<{ id?: string; type?: string }> | null;
};

type ResolveContext = {
  apps: Map<string, MirrorApp>;
  groups: Map<string, { name: string; type: string }>;
  groupApps: Map<string, string[]>;
};

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function target(event: OktaLogEvent, ...types: string[]) {
  return event.target?.find(t => t.type && types.includes(t.type))?.id;
}

/**
 * Reads the Okta org (users, groups and members, apps, who is assigned to
 * which app directly or through a group) and writes people and assignments
 * through the App Access usage API. See docs/okta.md, "Directory and usage
 * sync", for what it reads, how it resumes and how it stays under the limits.
 */
export class OktaSync {
  readonly client: OktaSyncClient;
  readonly throttle: OktaThrottle;
  private readonly config: OktaSyncConfig;
  private readonly syncId: string;
  private readonly now: () => number;
  private running = false;
  private checkpoint: Checkpoint = {};
  private saving?: Promise<void>;
  private saveAgain = false;
  private mark = { throttledMs: 0, http429: 0, requests: 0, retries: 0 };
  /** Stops every part of the current run (on the caller's signal or a failure). */
  private stop = new AbortController();
  /** The error that stopped the current run. */
  private failure?: unknown;
  /** Rows written through the usage API since the core's tables were last analyzed, and then. */
  private written = { since: 0, atLast: 0 };
  /** Users stored in the mirror by this attempt, and when its statistics were last refreshed. */
  private usersStored = { since: 0, atLast: 0 };
  /** Serializes ref minting across concurrent batches. */
  private refsLock: Promise<void> = Promise.resolve();

  constructor(private readonly options: OktaSyncOptions) {
    this.config = {
      enabled: true,
      everyMinutes: 60,
      lastUsed: false,
      lastUsedLookbackDays: 7,
      fullEveryHours: 24,
      rateLimitReservePercent: 10,
      ...options.config,
    };
    this.syncId = options.syncId ?? OKTA_SYNC_ID;
    this.now = options.now ?? Date.now;
    this.throttle = new OktaThrottle({
      reservePercent: this.config.rateLimitReservePercent,
      requestsPerMinute: this.config.requestsPerMinute,
    });
    this.client = new OktaSyncClient(options.okta, this.throttle, {
      attempts: options.attempts,
      retryDelayMs: options.retryDelayMs,
    });
  }

  private get usage() {
    return this.options.usage;
  }

  private get store() {
    return this.options.store;
  }

  private size(list: keyof typeof MAX_PAGE) {
    return Math.max(
      1,
      Math.min(MAX_PAGE[list], this.options.pageSize ?? Infinity),
    );
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
    if (this.running) {
      return { status: 'skipped', resumed: false, counts: {} };
    }
    this.running = true;
    const attemptStart = Date.now();
    const external = options.signal ?? new AbortController().signal;
    this.stop = new AbortController();
    this.failure = undefined;
    this.written = { since: 0, atLast: 0 };
    this.usersStored = { since: 0, atLast: 0 };
    const signal = AbortSignal.any([external, this.stop.signal]);
    let run: RunState | undefined;
    let resumed = false;
    try {
      const state = await this.usage.getSyncState(this.syncId);
      const checkpoint = { ...(state?.checkpoint ?? {}) } as Checkpoint;
      if (checkpoint.run && !(options.full && checkpoint.run.mode !== 'full')) {
        run = checkpoint.run;
        run.attempts += 1;
        run.counts.resumes = (run.counts.resumes ?? 0) + 1;
        resumed = true;
      } else {
        run = this.newRun(checkpoint, options.full);
        // Before the run is saved: a crash in between starts a new full run,
        // which clears again.
        if (run.mode === 'full') await this.store.clearForFullRun();
      }
      this.checkpoint = { ...checkpoint, run };
      this.resetMark();
      await this.usage.saveSyncState(this.syncId, {
        status: 'running',
        lastStartedAt: new Date(attemptStart).toISOString(),
        checkpoint: this.checkpoint,
        lastCounts: run.counts,
      });
      this.options.logger.info(
        `Okta sync: ${resumed ? 'continuing the' : 'starting the'} ${
          run.mode
        } run${
          run.mode === 'incremental' ? ` (changes since ${run.from})` : ''
        }${resumed ? ` from its checkpoint (stage ${run.stage})` : ''}`,
      );

      this.throttle.signal = signal;
      if (run.mode === 'full') await this.fullRun(run, signal);
      else await this.incrementalRun(run, signal);

      this.foldStats(run);
      run.activeMs += Date.now() - attemptStart;
      const counts = run.counts;
      this.checkpoint = {
        since: run.watermark,
        lastFullAt:
          run.mode === 'full' ? run.watermark : this.checkpoint.lastFullAt,
        lastUsedSince: this.config.lastUsed
          ? run.watermark
          : this.checkpoint.lastUsedSince,
        lastMode: run.mode,
      };
      await this.flushSaves();
      await this.usage.saveSyncState(this.syncId, {
        status: 'idle',
        checkpoint: this.checkpoint,
        lastFinishedAt: new Date().toISOString(),
        lastDurationMs: run.activeMs,
        lastCounts: counts,
        lastError: undefined,
      });
      this.options.logger.info(
        `Okta sync: ${run.mode} run finished in ${Math.round(
          run.activeMs / 1000,
        )} s: ${counts.users} users, ${counts.groups} groups, ${
          counts.apps
        } apps, ${counts.assignments} assignments, ${
          counts.deactivated
        } deactivated, ${counts.pages} pages, ${
          counts.http429
        } 429s, waited ${Math.round(
          counts.throttledMs / 1000,
        )} s for rate limits`,
      );
      return { status: 'finished', mode: run.mode, resumed, counts };
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
          this.foldStats(run);
          run.activeMs += Date.now() - attemptStart;
        }
        await this.usage.saveSyncState(this.syncId, {
          status: 'failed',
          ...(run
            ? { checkpoint: this.checkpoint, lastCounts: run.counts }
            : {}),
          lastFinishedAt: new Date().toISOString(),
          lastDurationMs: Date.now() - attemptStart,
          lastError: message,
        });
      } catch (saveError) {
        this.options.logger.warn(
          `Okta sync: could not record the failure: ${
            (saveError as Error).message
          }`,
        );
      }
      this.options.logger.warn(`Okta sync failed: ${message}`);
      throw stopped ? new Error(message) : error;
    } finally {
      this.throttle.signal = undefined;
      this.running = false;
    }
  }

  private newRun(checkpoint: Checkpoint, forceFull?: boolean): RunState {
    const now = this.now();
    const watermark = new Date(now).toISOString();
    const since = checkpoint.since ? Date.parse(checkpoint.since) : NaN;
    const lastFull = checkpoint.lastFullAt
      ? Date.parse(checkpoint.lastFullAt)
      : NaN;
    const full =
      forceFull ||
      Number.isNaN(since) ||
      Number.isNaN(lastFull) ||
      now - lastFull >= this.config.fullEveryHours * 3600_000 ||
      // Okta keeps the System Log for 90 days.
      now - since > 80 * DAY;
    const counts = Object.fromEntries(COUNT_KEYS.map(k => [k, 0]));
    counts.full = full ? 1 : 0;
    const lastUsedFrom =
      checkpoint.lastUsedSince ??
      new Date(now - this.config.lastUsedLookbackDays * DAY).toISOString();
    return {
      id: watermark,
      mode: full ? 'full' : 'incremental',
      startedAt: watermark,
      watermark,
      from: full
        ? undefined
        : new Date(since - (this.options.overlapMs ?? 60_000)).toISOString(),
      lastUsedFrom,
      stage: 'read',
      streams: full
        ? {
            users: { done: false, phase: 'users' },
            groups: { done: false, phase: 'list' },
            apps: { done: false, phase: 'list' },
          }
        : {
            users: { done: false, phase: 'users' },
            log: { done: false, phase: 'log' },
          },
      activeMs: 0,
      attempts: 1,
      counts,
    };
  }

  // --- checkpoints ---------------------------------------------------------

  private resetMark() {
    const s = this.throttle.stats;
    this.mark = {
      throttledMs: s.throttledMs,
      http429: s.http429,
      requests: Object.values(s.requests).reduce((a, b) => a + b, 0),
      retries: this.client.retries,
    };
  }

  /** Adds what the throttle and client counted since the last fold to the run's counts. */
  private foldStats(run: RunState) {
    const before = this.mark;
    this.resetMark();
    const after = this.mark;
    run.counts.throttledMs += Math.round(
      after.throttledMs - before.throttledMs,
    );
    run.counts.http429 += after.http429 - before.http429;
    run.counts.requests += after.requests - before.requests;
    run.counts.retries += after.retries - before.retries;
  }

  /**
   * Saves the checkpoint (and progress counts). Saves are serialized and
   * coalesced: every caller's change is in a save that finished when its
   * promise resolves. Callers change the run state only after the data it
   * describes is in the mirror, so a checkpoint never claims unsaved work.
   */
  private save(): Promise<void> {
    this.saveAgain = true;
    if (!this.saving) {
      this.saving = (async () => {
        try {
          while (this.saveAgain) {
            this.saveAgain = false;
            const run = this.checkpoint.run;
            if (run) this.foldStats(run);
            await this.usage.saveSyncState(this.syncId, {
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

  private countPage(run: RunState, family: string) {
    run.counts.pages += 1;
    const key = `pages${family[0].toUpperCase()}${family.slice(1)}`;
    run.counts[key] = (run.counts[key] ?? 0) + 1;
  }

  /**
   * Reads every page of a list from `cursor.after` on, saving the cursor
   * after each page (once `onPage` has stored the page's data).
   */
  private async pages<T>(
    run: RunState,
    cursor: { after?: string },
    path: string,
    query: Record<string, string | number | undefined>,
    family: string,
    signal: AbortSignal,
    onPage: (items: T[]) => Promise<void>,
  ) {
    for (;;) {
      signal.throwIfAborted();
      const page = await this.client.page<T>(
        path,
        { ...query, after: cursor.after },
        signal,
      );
      this.countPage(run, family);
      await onPage(page.items);
      if (!page.next || !page.items.length || page.next === cursor.after)
        return;
      cursor.after = page.next;
      await this.save();
    }
  }

  /**
   * Reads every item (group or app) in id order, `concurrency` at a time;
   * resumable at the page within each item. The checkpoint holds a frontier
   * (all ids up to it done), the finished ids past it, and the cursors of
   * the items half-way.
   */
  private async eachItem(
    st: StreamState,
    list: (after: string | undefined) => Promise<string[]>,
    read: (id: string, cursor: { after?: string }) => Promise<void>,
  ) {
    const ids = await list(st.frontier);
    const finished = new Set(st.finished ?? []);
    const partial = (st.partial ??= {});
    const todo = ids.filter(id => !finished.has(id));
    let position = 0;
    const advance = () => {
      while (position < ids.length && finished.has(ids[position])) {
        st.frontier = ids[position];
        finished.delete(ids[position]);
        position += 1;
      }
      st.finished = [...finished];
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
   * Runs tasks side by side (the streams, each its own endpoint family with
   * its own rate-limit window; or the items of one). When one fails the run
   * stops everywhere at the next page, and the first real error is thrown.
   */
  private async parallel(tasks: Array<() => Promise<void>>) {
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

  // --- full run ------------------------------------------------------------

  private stageDone(run: RunState, what: string, since: number) {
    this.options.logger.info(
      `Okta sync: ${what} in ${((Date.now() - since) / 1000).toFixed(1)} s (${
        run.counts.pages
      } pages so far)`,
    );
  }

  private async fullRun(run: RunState, signal: AbortSignal) {
    let t = Date.now();
    if (run.stage === 'read') {
      await this.store.analyze(['okta_sync_users', 'people']);
      await this.parallel([
        () => this.readUsers(run, signal),
        () => this.readGroups(run, signal),
        () => this.readApps(run, signal),
        // People and group assignments are written while app users are still read.
        () => this.peoplePassWhenReady(run, signal),
      ]);
      this.stageDone(run, 'read users, groups and apps', t);
      t = Date.now();
      run.stage = 'resolve';
      await this.save();
    }
    if (run.stage === 'resolve') {
      await this.resolvePass(run, 'people', signal);
      await this.resolvePass(run, 'direct', signal);
      this.stageDone(
        run,
        `wrote ${run.counts.resolved} people's assignments`,
        t,
      );
      t = Date.now();
      await this.usage.recomputeRollups();
      this.stageDone(run, 'recomputed the peer rollups', t);
      run.stage = 'lastUsed';
      await this.save();
    }
    if (run.stage === 'lastUsed') await this.readLastUsed(run, signal);
  }

  /** Waits until users, group members and app groups are read, then writes people and group assignments. */
  private async peoplePassWhenReady(run: RunState, signal: AbortSignal) {
    const ready = () =>
      run.streams.users?.done &&
      run.streams.groups?.done &&
      (run.streams.apps?.done || run.streams.apps?.phase === 'users');
    while (!ready()) {
      await abortableSleep(200, signal);
    }
    const t = Date.now();
    await this.resolvePass(run, 'people', signal);
    this.stageDone(run, 'wrote people and group assignments', t);
  }

  /**
   * One pass of a full run over every user of the mirror, `RESOLVE_CONCURRENCY`
   * batches at a time; resumable at the batch.
   */
  private async resolvePass(
    run: RunState,
    part: 'people' | 'direct',
    signal: AbortSignal,
  ) {
    const passes = (run.passes ??= {});
    const st = (passes[part] ??= { done: false });
    if (st.done) return;
    // The mirror was filled from empty during this run; so may the core's tables be.
    await this.store.analyze([...MIRROR_TABLES, ...CORE_USAGE_TABLES]);
    const context = await this.resolveContext();
    const ids = await this.store.userIdsAfter(st.frontier);
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += RESOLVE_BATCH) {
      batches.push(ids.slice(i, i + RESOLVE_BATCH));
    }
    const finished = new Set(st.finished ?? []);
    const todo = batches.filter(b => !finished.has(b[b.length - 1]));
    let position = 0;
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        signal.throwIfAborted();
        const batch = todo[next++];
        const rows = [...(await this.store.usersByIds(batch)).values()].sort(
          (a, b) => (a.id < b.id ? -1 : 1),
        );
        await this.resolveUsers(rows, context, run, part);
        finished.add(batch[batch.length - 1]);
        while (
          position < batches.length &&
          finished.has(batches[position].at(-1)!)
        ) {
          st.frontier = batches[position].at(-1);
          finished.delete(st.frontier!);
          position += 1;
        }
        st.finished = [...finished];
        await this.save();
      }
    };
    await this.parallel(
      Array.from({ length: RESOLVE_CONCURRENCY }, () => worker),
    );
    st.done = true;
    st.finished = undefined;
    await this.save();
  }

  private async readUsers(run: RunState, signal: AbortSignal) {
    const st = run.streams.users;
    if (!st || st.done) return;
    // search (not a plain list) also returns DEPROVISIONED users.
    const search =
      run.mode === 'full'
        ? 'lastUpdated gt "1970-01-01T00:00:00.000Z"'
        : `lastUpdated gt "${run.from}"`;
    await this.pages<OktaUserJson>(
      run,
      st,
      '/api/v1/users',
      { search, limit: this.size('users') },
      'users',
      signal,
      async users => {
        await this.ingestUsers(users, run);
        run.counts.users += users.length;
      },
    );
    st.done = true;
    await this.save();
    this.options.logger.debug?.(
      `Okta sync: users read (${run.counts.pagesUsers} pages)`,
    );
  }

  /** Stores a page of Okta users with the ref each maps to. */
  private async ingestUsers(users: OktaUserJson[], run: RunState) {
    if (!users.length) return;
    const existing = await this.store.usersByIds(users.map(u => u.id));
    const emailOf = (u: OktaUserJson) =>
      (str(u.profile?.email) ?? str(u.profile?.login) ?? u.id).toLowerCase();
    const hits = await this.usage.refsByEmail(users.map(emailOf));
    const rows: MirrorUser[] = users.map(u => {
      const email = emailOf(u);
      const hit = hits.get(email);
      const before = existing.get(u.id);
      let ref: string | undefined;
      let owned: boolean;
      if (hit && !(before?.owned && before.ref === hit)) {
        // Someone App Access knows (the catalog): only their assignments are ours.
        ref = hit;
        owned = false;
      } else if (hit) {
        ref = hit;
        owned = true;
      } else {
        owned = true;
        ref = before?.owned ? before.ref : undefined;
      }
      let prevRef = before?.prevRef;
      let prevOwned = before?.prevOwned ?? false;
      if (before?.ref && before.ref !== ref) {
        prevRef = before.ref;
        prevOwned = before.owned;
      }
      const profile = u.profile ?? {};
      const name =
        str(profile.displayName) ??
        ([str(profile.firstName), str(profile.lastName)]
          .filter(Boolean)
          .join(' ') ||
          undefined);
      return {
        id: u.id,
        login: (str(profile.login) ?? u.id).toLowerCase(),
        email,
        status: u.status ?? 'ACTIVE',
        ref,
        owned,
        prevRef,
        prevOwned,
        deleted: false,
        displayName: name,
        title: str(profile.title),
        department: str(profile.department),
        managerId: str(profile.managerId)?.toLowerCase(),
        lastUpdated: u.lastUpdated,
        seenRun: run.id,
      };
    });
    await this.store.upsertUsers(rows);
    if (run.mode === 'incremental') {
      await this.store.addDirty(rows.map(r => r.id));
    }
    // Each page looks users up in the mirror and people by email: keep the
    // planner's statistics in step while the mirror fills (see analyze).
    this.usersStored.since += rows.length;
    if (
      run.mode === 'full' &&
      this.usersStored.since > Math.max(5_000, this.usersStored.atLast)
    ) {
      this.usersStored.atLast += this.usersStored.since;
      this.usersStored.since = 0;
      await this.store.analyze(['okta_sync_users']);
    }
  }

  private async readGroups(run: RunState, signal: AbortSignal) {
    const st = run.streams.groups;
    if (!st || st.done) return;
    if (st.phase === 'list') {
      await this.pages<OktaGroupJson>(
        run,
        st,
        '/api/v1/groups',
        { limit: this.size('groups') },
        'groups',
        signal,
        async groups => {
          await this.store.upsertGroups(
            groups.map(g => ({
              id: g.id,
              name: g.profile?.name ?? g.id,
              type: g.type ?? 'OKTA_GROUP',
            })),
          );
          run.counts.groups += groups.length;
        },
      );
      st.phase = 'members';
      st.after = undefined;
      await this.save();
    }
    if (st.phase === 'members') {
      await this.eachItem(
        st,
        from => this.store.groupIdsAfter(from),
        async (groupId, cursor) => {
          try {
            await this.pages<OktaUserJson>(
              run,
              cursor,
              `/api/v1/groups/${encodeURIComponent(groupId)}/users`,
              { limit: this.size('groupUsers') },
              'groups',
              signal,
              async members => {
                await this.store.addMembers(
                  groupId,
                  members.map(m => m.id),
                );
                run.counts.memberships += members.length;
              },
            );
          } catch (error) {
            // Deleted since the list was read.
            if ((error as { status?: number }).status !== 404) throw error;
            await this.store.deleteGroup(groupId);
          }
        },
      );
      st.done = true;
      await this.save();
    }
  }

  /** Apps → discovered in App Access (ACTIVE ones), stored with their App Access id. */
  private async ingestApps(apps: OktaAppJson[], seenRun?: string) {
    const active = apps.filter(a => a.status === 'ACTIVE');
    const ids = active.length
      ? await this.usage.upsertDiscoveredApps(
          active.map(a => ({
            externalKey: 'oktaAppId',
            externalId: a.id,
            name: a.label ?? a.name ?? a.id,
            logoUrl: a._links?.logo?.[0]?.href,
            url: a._links?.appLinks?.[0]?.href,
          })),
        )
      : new Map<string, string>();
    const rows = apps.map(a => ({
      id: a.id,
      label: a.label ?? a.name ?? a.id,
      status: a.status ?? 'ACTIVE',
      catalogId: ids.get(`oktaAppId:${a.id}`),
      seenRun,
    }));
    await this.store.upsertApps(rows);
    return rows;
  }

  private async readApps(run: RunState, signal: AbortSignal) {
    const st = run.streams.apps;
    if (!st || st.done) return;
    if (st.phase === 'list') {
      await this.pages<OktaAppJson>(
        run,
        st,
        '/api/v1/apps',
        { limit: this.size('apps') },
        'apps',
        signal,
        async apps => {
          await this.ingestApps(apps, run.id);
          run.counts.apps += apps.length;
        },
      );
      await this.store.markAppsGone(run.id);
      st.phase = 'groups';
      st.after = undefined;
      await this.save();
    }
    const activeApps = (from: string | undefined) =>
      this.store.activeAppIdsAfter(from);
    if (st.phase === 'groups') {
      await this.eachItem(st, activeApps, async (appId, cursor) => {
        await this.readAppList<{ id: string }>(
          run,
          cursor,
          appId,
          'groups',
          signal,
          async groups => {
            await this.store.addAppGroups(
              appId,
              groups.map(g => g.id),
            );
            run.counts.appGroups += groups.length;
          },
        );
      });
      st.phase = 'users';
      st.frontier = undefined;
      st.finished = undefined;
      st.partial = undefined;
      await this.save();
    }
    if (st.phase === 'users') {
      await this.eachItem(st, activeApps, async (appId, cursor) => {
        await this.readAppList<{ id: string; scope?: string }>(
          run,
          cursor,
          appId,
          'users',
          signal,
          async appUsers => {
            await this.store.addDirect(
              appId,
              appUsers.filter(u => u.scope === 'USER').map(u => u.id),
            );
            run.counts.appUsers += appUsers.length;
          },
        );
      });
      st.done = true;
      await this.save();
    }
  }

  /** An app's groups or users, all pages; an app deleted meanwhile is marked so. */
  private async readAppList<T>(
    run: RunState,
    cursor: { after?: string },
    appId: string,
    list: 'groups' | 'users',
    signal: AbortSignal,
    onPage: (items: T[]) => Promise<void>,
  ): Promise<boolean> {
    try {
      await this.pages<T>(
        run,
        cursor,
        `/api/v1/apps/${encodeURIComponent(appId)}/${list}`,
        { limit: this.size(list === 'groups' ? 'appGroups' : 'appUsers') },
        'apps',
        signal,
        onPage,
      );
      return true;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      const app = await this.store.getApp(appId);
      if (app) await this.store.upsertApps([{ ...app, status: 'DELETED' }]);
      return false;
    }
  }

  // --- incremental run -------------------------------------------------------

  private async incrementalRun(run: RunState, signal: AbortSignal) {
    let t = Date.now();
    if (run.stage === 'read') {
      await this.parallel([
        () => this.readUsers(run, signal),
        () => this.readLog(run, signal),
      ]);
      this.stageDone(
        run,
        `read ${run.counts.users} changed users and ${run.counts.events} events`,
        t,
      );
      t = Date.now();
      run.stage = 'refresh';
      await this.save();
    }
    if (run.stage === 'refresh') {
      await this.refresh(run, signal);
      this.stageDone(
        run,
        `read ${run.counts.refreshed} changed groups, apps and assignments again`,
        t,
      );
      t = Date.now();
      run.stage = 'resolve';
      await this.save();
    }
    if (run.stage === 'resolve') {
      const context = await this.resolveContext();
      for (;;) {
        signal.throwIfAborted();
        const ids = await this.store.dirtyBatch(RESOLVE_BATCH);
        if (!ids.length) break;
        const rows = [...(await this.store.usersByIds(ids)).values()];
        await this.resolveUsers(rows, context, run, 'all');
        await this.store.clearDirty(ids);
        await this.save();
      }
      this.stageDone(
        run,
        `wrote ${run.counts.resolved} people's assignments`,
        t,
      );
      // The core keeps the peer rollups up to date as people and
      // assignments are written; only a full run recomputes them.
      run.stage = 'lastUsed';
      await this.save();
    }
    if (run.stage === 'lastUsed') await this.readLastUsed(run, signal);
  }

  /** System Log events since `from`: membership changes go to the mirror, the rest to the refresh queue. */
  private async readLog(run: RunState, signal: AbortSignal) {
    const st = run.streams.log;
    if (!st || st.done) return;
    await this.pages<OktaLogEvent>(
      run,
      st,
      '/api/v1/logs',
      {
        since: run.from,
        // `until` is exclusive; a second more keeps events published in the
        // watermark's millisecond (the next run's overlap reads them again).
        until: new Date(Date.parse(run.watermark) + 1000).toISOString(),
        filter: SYNC_EVENT_TYPES.map(t => `eventType eq "${t}"`).join(' or '),
        sortOrder: 'ASCENDING',
        limit: this.size('logs'),
      },
      'logs',
      signal,
      async events => {
        await this.ingestEvents(events);
        run.counts.events += events.length;
      },
    );
    st.done = true;
    await this.save();
  }

  private async ingestEvents(events: OktaLogEvent[]) {
    const dirty = new Set<string>();
    const deleted = new Set<string>();
    const pending = {
      pair: new Set<string>(),
      appGroups: new Set<string>(),
      app: new Set<string>(),
      group: new Set<string>(),
    };
    // In order: a membership added and removed again ends up removed.
    for (const event of events) {
      const user = target(event, 'User', 'AppUser');
      const group = target(event, 'UserGroup');
      const app = target(event, 'AppInstance');
      switch (event.eventType) {
        case 'group.user_membership.add':
          if (user && group) {
            await this.store.addMembers(group, [user]);
            dirty.add(user);
          }
          break;
        case 'group.user_membership.remove':
          if (user && group) {
            await this.store.removeMember(group, user);
            dirty.add(user);
          }
          break;
        case 'application.user_membership.add':
        case 'application.user_membership.remove':
        case 'application.user_membership.change_username':
          if (user && app) {
            pending.pair.add(`${app}:${user}`);
            dirty.add(user);
          }
          break;
        case 'group.application_assignment.add':
        case 'group.application_assignment.remove':
        case 'group.application_assignment.update':
          if (app) pending.appGroups.add(app);
          break;
        case 'user.lifecycle.delete.completed':
          if (user) {
            deleted.add(user);
            dirty.add(user);
          }
          break;
        default:
          if (event.eventType.startsWith('application.lifecycle.') && app) {
            pending.app.add(app);
          } else if (event.eventType.startsWith('group.') && group) {
            pending.group.add(group);
          }
      }
    }
    for (const [kind, keys] of Object.entries(pending)) {
      if (keys.size) {
        await this.store.addPending(kind as keyof typeof pending, [...keys]);
      }
    }
    if (deleted.size) await this.store.markDeleted([...deleted]);
    if (dirty.size) await this.store.addDirty([...dirty]);
  }

  /** Reads again what the events point at: groups, apps, app groups, app users, single assignments. */
  private async refresh(run: RunState, signal: AbortSignal) {
    // Many changed assignments of one app: one read of its users is cheaper.
    const pairs = await this.store.pending('pair', 1_000_000);
    const byApp = new Map<string, string[]>();
    for (const key of pairs) {
      const appId = key.split(':')[0];
      byApp.set(appId, [...(byApp.get(appId) ?? []), key]);
    }
    for (const [appId, keys] of byApp) {
      if (keys.length > PAIRS_PER_APP_REREAD) {
        await this.store.addPending('appUsers', [appId]);
        await this.store.removePending('pair', keys);
      }
    }
    // Kinds in order (an app refresh may queue its groups and users), the
    // items of a kind a few at a time.
    for (const kind of [
      'group',
      'app',
      'appGroups',
      'appUsers',
      'pair',
    ] as const) {
      for (;;) {
        const keys = await this.store.pending(kind, 200);
        if (!keys.length) break;
        let next = 0;
        const done: string[] = [];
        const worker = async () => {
          while (next < keys.length) {
            signal.throwIfAborted();
            const key = keys[next++];
            await this.refreshOne(run, kind, key, signal);
            done.push(key);
            run.counts.refreshed += 1;
          }
        };
        try {
          await this.parallel(
            Array.from(
              { length: Math.max(1, this.options.concurrency ?? 4) },
              () => worker,
            ),
          );
        } finally {
          await this.store.removePending(kind, done);
          await this.save();
        }
      }
    }
  }

  private async usersOfApp(appId: string) {
    const groups = await this.store.appGroupsOf(appId);
    return [
      ...new Set([
        ...(await this.store.directUsersOf(appId)),
        ...(await this.store.membersOfGroups(groups)),
      ]),
    ];
  }

  private async refreshOne(
    run: RunState,
    kind: 'group' | 'app' | 'appGroups' | 'appUsers' | 'pair',
    key: string,
    signal: AbortSignal,
  ) {
    const count = (family: string) => this.countPage(run, family);
    if (kind === 'group') {
      const group = await this.client.get<OktaGroupJson>(
        `/api/v1/groups/${encodeURIComponent(key)}`,
        signal,
      );
      count('groups');
      const before = await this.store.getGroup(key);
      const members = await this.store.membersOfGroup(key);
      if (!group) {
        await this.store.addDirty(members);
        await this.store.deleteGroup(key);
        return;
      }
      const name = group.profile?.name ?? key;
      const type = group.type ?? 'OKTA_GROUP';
      await this.store.upsertGroups([{ id: key, name, type }]);
      run.counts.groups += 1;
      if (!before || before.name !== name || before.type !== type) {
        await this.store.addDirty(members);
      }
      return;
    }
    if (kind === 'app') {
      const app = await this.client.get<OktaAppJson>(
        `/api/v1/apps/${encodeURIComponent(key)}`,
        signal,
      );
      count('apps');
      const before = await this.store.getApp(key);
      let after: MirrorApp;
      if (app) {
        [after] = await this.ingestApps([app]);
        run.counts.apps += 1;
      } else {
        after = {
          id: key,
          label: before?.label ?? key,
          status: 'DELETED',
          catalogId: before?.catalogId,
        };
        await this.store.upsertApps([after]);
      }
      if (after.status === 'ACTIVE' && before?.status !== 'ACTIVE') {
        // Inactive apps are not read; now that it counts, read who has it.
        await this.store.addPending('appGroups', [key]);
        await this.store.addPending('appUsers', [key]);
      }
      if (
        before?.status !== after.status ||
        before?.catalogId !== after.catalogId
      ) {
        await this.store.addDirty(await this.usersOfApp(key));
      }
      return;
    }
    if (kind === 'appGroups') {
      const groups: string[] = [];
      const found = await this.readAppList<{ id: string }>(
        run,
        {},
        key,
        'groups',
        signal,
        async page => {
          groups.push(...page.map(g => g.id));
        },
      );
      const before = await this.store.appGroupsOf(key);
      const changed = [
        ...before.filter(g => !groups.includes(g)),
        ...groups.filter(g => !before.includes(g)),
      ];
      if (!found) {
        await this.store.addDirty(await this.usersOfApp(key));
        return;
      }
      await this.store.replaceAppGroups(key, groups);
      run.counts.appGroups += groups.length;
      await this.store.addDirty(await this.store.membersOfGroups(changed));
      return;
    }
    if (kind === 'appUsers') {
      const direct: string[] = [];
      const found = await this.readAppList<{ id: string; scope?: string }>(
        run,
        {},
        key,
        'users',
        signal,
        async page => {
          direct.push(...page.filter(u => u.scope === 'USER').map(u => u.id));
          run.counts.appUsers += page.length;
        },
      );
      const before = await this.store.directUsersOf(key);
      if (!found) {
        await this.store.addDirty(await this.usersOfApp(key));
        return;
      }
      const now = new Set(direct);
      const was = new Set(before);
      await this.store.replaceDirect(key, direct);
      await this.store.addDirty([
        ...before.filter(u => !now.has(u)),
        ...direct.filter(u => !was.has(u)),
      ]);
      return;
    }
    // pair: one person's assignment to one app.
    const [appId, userId] = key.split(':');
    const appUser = await this.client.get<{ scope?: string }>(
      `/api/v1/apps/${encodeURIComponent(appId)}/users/${encodeURIComponent(
        userId,
      )}`,
      signal,
    );
    count('apps');
    // (The user is already queued for writing: the event did that.)
    if (appUser?.scope === 'USER') await this.store.addDirect(appId, [userId]);
    else await this.store.removeDirect(appId, userId);
  }

  // --- writing people and assignments ------------------------------------

  private async resolveContext(): Promise<ResolveContext> {
    const [apps, groups, groupApps] = await Promise.all([
      this.store.loadApps(),
      this.store.loadGroups(),
      this.store.loadGroupApps(),
    ]);
    return { apps, groups, groupApps };
  }

  /** Gives people only Okta knows a ref: user:default/<login's local part>, unless taken. */
  private async assignRefs(rows: MirrorUser[]) {
    const owned = rows.filter(r => r.owned);
    if (!owned.length) return;
    const candidates = new Map(
      owned.map(r => [r.id, userRefCandidates(r.login, r.id)]),
    );
    const holders = await this.store.holdersOf([
      ...owned.flatMap(r => (r.ref ? [r.ref] : [])),
      ...[...candidates.values()].flat(),
    ]);
    const heldBy = new Map<string, Array<{ id: string; owned: boolean }>>();
    for (const h of holders) {
      heldBy.set(h.ref, [...(heldBy.get(h.ref) ?? []), h]);
    }
    const taken = (ref: string, id: string) =>
      (heldBy.get(ref) ?? []).some(h => h.id !== id);
    const changed: MirrorUser[] = [];
    for (const r of owned) {
      // A catalog person (someone else's email) now has this ref: make a new one.
      if (
        r.ref &&
        (heldBy.get(r.ref) ?? []).some(h => h.id !== r.id && !h.owned)
      ) {
        r.prevRef = r.ref;
        r.prevOwned = true;
        r.ref = undefined;
      }
      if (r.ref) continue;
      const ref =
        candidates.get(r.id)!.find(c => !taken(c, r.id)) ??
        `user:default/okta-${r.id.toLowerCase()}`;
      r.ref = ref;
      heldBy.set(ref, [...(heldBy.get(ref) ?? []), { id: r.id, owned: true }]);
      changed.push(r);
    }
    await this.store.upsertUsers(changed);
  }

  /**
   * Writes these users: `people` writes the people only Okta knows and
   * everyone's group assignments; `direct` the direct assignments, and
   * forgets users gone from Okta; `all` does both (incremental runs).
   */
  private async resolveUsers(
    rows: MirrorUser[],
    context: ResolveContext,
    run: RunState,
    part: ResolvePart,
  ) {
    if (!rows.length) return;
    const writePeople = part !== 'direct';
    const writeDirect = part !== 'people';
    const gone = (u: MirrorUser) =>
      u.deleted || (run.mode === 'full' && u.seenRun !== run.id);
    const ids = rows.map(r => r.id);
    const [groupsOf, directOf] = await Promise.all([
      this.store.groupsOfUsers(ids),
      this.store.directOfUsers(ids),
    ]);
    const managerKeys = writePeople
      ? rows.flatMap(r => (r.owned && r.managerId ? [r.managerId] : []))
      : [];
    const managers = managerKeys.length
      ? await this.store.usersByKeys(managerKeys)
      : new Map<string, MirrorUser>();
    if (writePeople) {
      const managerRows = [...new Set(managers.values())].filter(
        m => !ids.includes(m.id) && !m.ref,
      );
      await this.withRefsLock(() =>
        this.assignRefs([...rows.filter(r => !gone(r)), ...managerRows]),
      );
    }

    const catalogIds = (appIds: string[]) => [
      ...new Set(
        appIds.flatMap(id => {
          const app = context.apps.get(id);
          return app?.status === 'ACTIVE' && app.catalogId
            ? [app.catalogId]
            : [];
        }),
      ),
    ];
    const people: UsagePerson[] = [];
    const direct: Array<{ personRef: string; appIds: string[] }> = [];
    const viaGroups: Array<{ personRef: string; appIds: string[] }> = [];
    const removed: string[] = [];
    for (const u of rows) {
      const isGone = gone(u);
      if (isGone && writeDirect) removed.push(u.id);
      if (!u.ref) continue;
      const active = !isGone && !INACTIVE_STATUSES.has(u.status);
      const groupIds = active ? groupsOf.get(u.id) ?? [] : [];
      const directApps = active ? catalogIds(directOf.get(u.id) ?? []) : [];
      const groupApps = active
        ? catalogIds(groupIds.flatMap(g => context.groupApps.get(g) ?? []))
        : [];
      if (writeDirect) {
        direct.push({ personRef: u.ref, appIds: directApps });
        run.counts.assignmentsDirect += directApps.length;
      }
      if (!writePeople) continue;
      viaGroups.push({ personRef: u.ref, appIds: groupApps });
      run.counts.assignmentsGroup += groupApps.length;
      if (!active) run.counts.deactivated += 1;
      if (u.owned) {
        const manager = u.managerId ? managers.get(u.managerId) : undefined;
        people.push({
          ref: u.ref,
          email: u.email,
          displayName: u.displayName,
          title: u.title,
          department: u.department,
          manager:
            manager?.ref && manager.ref !== u.ref ? manager.ref : undefined,
          // Teams: the person's Okta groups, except Okta's built-in ones (Everyone).
          groups: groupIds.flatMap(g => {
            const group = context.groups.get(g);
            return group && group.type !== 'BUILT_IN'
              ? [groupRefFor(group.name, g)]
              : [];
          }),
          active,
        });
      } else {
        run.counts.peopleFromCatalog += 1;
      }
    }
    if (writePeople) {
      run.counts.people += people.length;
      run.counts.resolved += rows.length;
    }
    run.counts.removed += removed.length;
    run.counts.assignments =
      run.counts.assignmentsDirect + run.counts.assignmentsGroup;

    // A full run rewrites nearly everyone and recomputes the peer rollups
    // once at its end; an incremental run's writes move them as they go.
    const write = { rollups: run.mode === 'full' ? 'later' : 'now' } as const;
    if (people.length) await this.usage.upsertPeople(people, 'okta', write);
    if (viaGroups.length)
      await this.usage.setAssignments('okta-group', viaGroups, write);
    if (direct.length)
      await this.usage.setAssignments('okta-direct', direct, write);
    if (writeDirect) {
      await this.cleanUpPreviousRefs(rows, write);
      if (removed.length) await this.store.deleteUsers(removed);
    }

    // Keep the planner's picture of the core's tables in step as they fill
    // (at 20k, 40k, 80k … rows written), so its per-person deletes use the index.
    this.written.since +=
      people.length +
      direct.reduce((a, d) => a + d.appIds.length, 0) +
      viaGroups.reduce((a, d) => a + d.appIds.length, 0);
    if (this.written.since > Math.max(20_000, this.written.atLast)) {
      this.written.atLast += this.written.since;
      this.written.since = 0;
      await this.store.analyze(CORE_USAGE_TABLES);
    }
  }

  private withRefsLock<T>(task: () => Promise<T>): Promise<T> {
    const result = this.refsLock.then(task);
    this.refsLock = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** A user's ref changed: what the sync wrote under the old one goes, unless someone holds it now. */
  private async cleanUpPreviousRefs(
    rows: MirrorUser[],
    write: UsageWriteOptions,
  ) {
    const moved = rows.filter(r => r.prevRef && r.prevRef !== r.ref);
    if (!moved.length) return;
    const held = new Set(
      (await this.store.holdersOf(moved.map(r => r.prevRef!))).map(h => h.ref),
    );
    const orphans = moved.filter(r => !held.has(r.prevRef!));
    const wasOurs = orphans.filter(r => r.prevOwned);
    if (wasOurs.length) {
      await this.usage.upsertPeople(
        wasOurs.map(r => ({ ref: r.prevRef!, groups: [], active: false })),
        'okta',
        write,
      );
    }
    if (orphans.length) {
      const none = orphans.map(r => ({ personRef: r.prevRef!, appIds: [] }));
      await this.usage.setAssignments('okta-direct', none, write);
      await this.usage.setAssignments('okta-group', none, write);
    }
    await this.store.clearPrevRefs(moved.map(r => r.id));
  }

  // --- last sign-in per app ----------------------------------------------

  private async readLastUsed(run: RunState, signal: AbortSignal) {
    if (!this.config.lastUsed) return;
    const st = (run.streams.lastUsed ??= { done: false, phase: 'lastUsed' });
    if (st.done) return;
    const apps = await this.store.loadApps();
    await this.pages<OktaLogEvent>(
      run,
      st,
      '/api/v1/logs',
      {
        since: run.lastUsedFrom,
        until: run.watermark,
        filter: 'eventType eq "user.authentication.sso"',
        sortOrder: 'ASCENDING',
        limit: this.size('logs'),
      },
      'logs',
      signal,
      async events => {
        const latest = new Map<
          string,
          { userId: string; appId: string; at: string }
        >();
        for (const e of events) {
          const userId = e.actor?.id;
          const appId = target(e, 'AppInstance');
          if (!userId || !appId) continue;
          const key = `${userId} ${appId}`;
          const seen = latest.get(key);
          if (!seen || seen.at < e.published)
            latest.set(key, { userId, appId, at: e.published });
        }
        if (!latest.size) return;
        const users = await this.store.usersByIds(
          [...latest.values()].map(l => l.userId),
        );
        const pairs = [...latest.values()].flatMap(l => {
          const personRef = users.get(l.userId)?.ref;
          const appId = apps.get(l.appId)?.catalogId;
          return personRef && appId ? [{ personRef, appId, at: l.at }] : [];
        });
        if (pairs.length) await this.usage.markLastUsed(pairs);
        run.counts.lastUsed += pairs.length;
      },
    );
    st.done = true;
    await this.save();
  }
}
