import { LoggerService } from '@backstage/backend-plugin-api';
import { OktaSyncConfig } from '../../config';
import { SyncJob, SyncRunControls } from '../engine/IncrementalSyncEngine';
import { OktaSyncClient } from '../OktaSyncClient';
import {
  CORE_USAGE_TABLES,
  MIRROR_TABLES,
  OktaSyncStore,
} from '../OktaSyncStore';
import { abortableSleep, OktaThrottle } from '../OktaThrottle';
import { OktaCheckpoint, OktaRunState } from './OktaRunState';
import { OktaChangeRefresher } from './OktaChangeRefresher';
import { OktaUsageMapper } from './OktaUsageMapper';
import {
  OktaAppGroupsReader,
  OktaAppUsersReader,
  readAppAssignments,
} from './readers/OktaAppAssignmentsReader';
import { OktaAppsReader } from './readers/OktaAppsReader';
import { OktaGroupMembersReader } from './readers/OktaGroupMembersReader';
import { OktaGroupsReader } from './readers/OktaGroupsReader';
import { OktaSystemLogReader } from './readers/OktaSystemLogReader';
import { OktaUsersReader } from './readers/OktaUsersReader';

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

const RESOLVE_BATCH = 500;
/** Batches written at the same time (the core's writes wait on the database). */
const RESOLVE_CONCURRENCY = 3;
const DAY = 24 * 3600_000;

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

export type OktaRunOptions = { full?: boolean };

export type OktaSyncJobOptions = {
  client: OktaSyncClient;
  throttle: OktaThrottle;
  store: OktaSyncStore;
  mapper: OktaUsageMapper;
  /** Reads again what an incremental run's events point at. */
  refresher: OktaChangeRefresher;
  logger: LoggerService;
  config: OktaSyncConfig;
  pageSize?: number;
  overlapMs?: number;
  now: () => number;
};

/**
 * What an Okta run reads, in which stages, and what it writes: a full run
 * reads users, groups (and members) and apps (and their groups and users)
 * side by side; an incremental one reads changed users and the System Log,
 * then reads again what the events point at. Both then write people and
 * assignments, and last sign-ins when configured.
 */
export class OktaSyncJob
  implements SyncJob<OktaRunState, OktaCheckpoint, OktaRunOptions>
{
  private controls!: SyncRunControls;

  constructor(private readonly options: OktaSyncJobOptions) {}

  private get store() {
    return this.options.store;
  }

  private get mapper() {
    return this.options.mapper;
  }

  private get client() {
    return this.options.client;
  }

  private get pageSize() {
    return { pageSize: this.options.pageSize };
  }

  resumes(run: OktaRunState, options: OktaRunOptions) {
    return !(options.full && run.mode !== 'full');
  }

  async newRun(
    checkpoint: OktaCheckpoint,
    options: OktaRunOptions,
  ): Promise<OktaRunState> {
    const { config } = this.options;
    const now = this.options.now();
    const watermark = new Date(now).toISOString();
    const since = checkpoint.since ? Date.parse(checkpoint.since) : NaN;
    const lastFull = checkpoint.lastFullAt
      ? Date.parse(checkpoint.lastFullAt)
      : NaN;
    const full =
      options.full ||
      Number.isNaN(since) ||
      Number.isNaN(lastFull) ||
      now - lastFull >= config.fullEveryHours * 3600_000 ||
      // Okta keeps the System Log for 90 days.
      now - since > 80 * DAY;
    const counts = Object.fromEntries(COUNT_KEYS.map(k => [k, 0]));
    counts.full = full ? 1 : 0;
    const lastUsedFrom =
      checkpoint.lastUsedSince ??
      new Date(now - config.lastUsedLookbackDays * DAY).toISOString();
    // Before the run is saved: a crash in between starts a new full run,
    // which clears again.
    if (full) await this.store.clearForFullRun();
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

  finished(run: OktaRunState, checkpoint: OktaCheckpoint): OktaCheckpoint {
    return {
      since: run.watermark,
      lastFullAt: run.mode === 'full' ? run.watermark : checkpoint.lastFullAt,
      lastUsedSince: this.options.config.lastUsed
        ? run.watermark
        : checkpoint.lastUsedSince,
      lastMode: run.mode,
    };
  }

  describeStart(run: OktaRunState, resumed: boolean) {
    return `Okta sync: ${resumed ? 'continuing the' : 'starting the'} ${
      run.mode
    } run${run.mode === 'incremental' ? ` (changes since ${run.from})` : ''}${
      resumed ? ` from its checkpoint (stage ${run.stage})` : ''
    }`;
  }

  describeFinish(run: OktaRunState) {
    const counts = run.counts;
    return `Okta sync: ${run.mode} run finished in ${Math.round(
      run.activeMs / 1000,
    )} s: ${counts.users} users, ${counts.groups} groups, ${
      counts.apps
    } apps, ${counts.assignments} assignments, ${
      counts.deactivated
    } deactivated, ${counts.pages} pages, ${
      counts.http429
    } 429s, waited ${Math.round(counts.throttledMs / 1000)} s for rate limits`;
  }

  async execute(run: OktaRunState, controls: SyncRunControls) {
    this.controls = controls;
    this.mapper.startAttempt();
    // The throttle's waits end when the run stops.
    this.options.throttle.signal = controls.signal;
    try {
      if (run.mode === 'full') await this.fullRun(run);
      else await this.incrementalRun(run);
    } finally {
      this.options.throttle.signal = undefined;
    }
  }

  private get signal() {
    return this.controls.signal;
  }

  private save() {
    return this.controls.save();
  }

  private stageDone(run: OktaRunState, what: string, since: number) {
    this.options.logger.info(
      `Okta sync: ${what} in ${((Date.now() - since) / 1000).toFixed(1)} s (${
        run.counts.pages
      } pages so far)`,
    );
  }

  // --- full run ------------------------------------------------------------

  private async fullRun(run: OktaRunState) {
    let t = Date.now();
    if (run.stage === 'read') {
      await this.store.analyze(['okta_sync_users', 'people']);
      await this.controls.parallel([
        () => this.readUsers(run),
        () => this.readGroups(run),
        () => this.readApps(run),
        // People and group assignments are written while app users are still read.
        () => this.peoplePassWhenReady(run),
      ]);
      this.stageDone(run, 'read users, groups and apps', t);
      t = Date.now();
      run.stage = 'resolve';
      await this.save();
    }
    if (run.stage === 'resolve') {
      await this.resolvePass(run, 'people');
      await this.resolvePass(run, 'direct');
      this.stageDone(
        run,
        `wrote ${run.counts.resolved} people's assignments`,
        t,
      );
      t = Date.now();
      await this.mapper.recomputeRollups();
      this.stageDone(run, 'recomputed the peer rollups', t);
      run.stage = 'lastUsed';
      await this.save();
    }
    if (run.stage === 'lastUsed') await this.readLastUsed(run);
  }

  /** Waits until users, group members and app groups are read, then writes people and group assignments. */
  private async peoplePassWhenReady(run: OktaRunState) {
    const ready = () =>
      run.streams.users?.done &&
      run.streams.groups?.done &&
      (run.streams.apps?.done || run.streams.apps?.phase === 'users');
    while (!ready()) {
      await abortableSleep(200, this.signal);
    }
    const t = Date.now();
    await this.resolvePass(run, 'people');
    this.stageDone(run, 'wrote people and group assignments', t);
  }

  /**
   * One pass of a full run over every user of the mirror, `RESOLVE_CONCURRENCY`
   * batches at a time; resumable at the batch.
   */
  private async resolvePass(run: OktaRunState, part: 'people' | 'direct') {
    const signal = this.signal;
    const passes = (run.passes ??= {});
    const st = (passes[part] ??= { done: false });
    if (st.done) return;
    // The mirror was filled from empty during this run; so may the core's tables be.
    await this.store.analyze([...MIRROR_TABLES, ...CORE_USAGE_TABLES]);
    const context = await this.mapper.resolveContext();
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
        await this.mapper.resolveUsers(rows, context, run, part);
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
    await this.controls.parallel(
      Array.from({ length: RESOLVE_CONCURRENCY }, () => worker),
    );
    st.done = true;
    st.finished = undefined;
    await this.save();
  }

  private async readUsers(run: OktaRunState) {
    const st = run.streams.users;
    if (!st || st.done) return;
    const reader = new OktaUsersReader(this.client, {
      since: run.mode === 'full' ? '1970-01-01T00:00:00.000Z' : run.from!,
      ...this.pageSize,
    });
    await this.controls.read(reader, st, async users => {
      await this.mapper.ingestUsers(users, run);
      run.counts.users += users.length;
    });
    st.done = true;
    await this.save();
    this.options.logger.debug?.(
      `Okta sync: users read (${run.counts.pagesUsers} pages)`,
    );
  }

  private async readGroups(run: OktaRunState) {
    const st = run.streams.groups;
    if (!st || st.done) return;
    if (st.phase === 'list') {
      const reader = new OktaGroupsReader(this.client, this.pageSize);
      await this.controls.read(reader, st, async groups => {
        await this.store.upsertGroups(
          groups.map(g => ({
            id: g.id,
            name: g.profile?.name ?? g.id,
            type: g.type ?? 'OKTA_GROUP',
          })),
        );
        run.counts.groups += groups.length;
      });
      st.phase = 'members';
      st.after = undefined;
      await this.save();
    }
    if (st.phase === 'members') {
      await this.controls.eachItem(
        st,
        from => this.store.groupIdsAfter(from),
        async (groupId, cursor) => {
          const reader = new OktaGroupMembersReader(
            this.client,
            groupId,
            this.pageSize,
          );
          try {
            await this.controls.read(reader, cursor, async members => {
              await this.store.addMembers(
                groupId,
                members.map(m => m.id),
              );
              run.counts.memberships += members.length;
            });
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

  private async readApps(run: OktaRunState) {
    const st = run.streams.apps;
    if (!st || st.done) return;
    if (st.phase === 'list') {
      const reader = new OktaAppsReader(this.client, this.pageSize);
      await this.controls.read(reader, st, async apps => {
        await this.mapper.ingestApps(apps, run.id);
        run.counts.apps += apps.length;
      });
      await this.store.markAppsGone(run.id);
      st.phase = 'groups';
      st.after = undefined;
      await this.save();
    }
    const activeApps = (from: string | undefined) =>
      this.store.activeAppIdsAfter(from);
    if (st.phase === 'groups') {
      await this.controls.eachItem(st, activeApps, async (appId, cursor) => {
        await readAppAssignments(
          this.controls,
          this.store,
          new OktaAppGroupsReader(this.client, appId, this.pageSize),
          appId,
          cursor,
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
      await this.controls.eachItem(st, activeApps, async (appId, cursor) => {
        await readAppAssignments(
          this.controls,
          this.store,
          new OktaAppUsersReader(this.client, appId, this.pageSize),
          appId,
          cursor,
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

  // --- incremental run -------------------------------------------------------

  private async incrementalRun(run: OktaRunState) {
    let t = Date.now();
    if (run.stage === 'read') {
      await this.controls.parallel([
        () => this.readUsers(run),
        () => this.readLog(run),
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
      await this.options.refresher.refresh(run, this.controls);
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
      const context = await this.mapper.resolveContext();
      for (;;) {
        this.signal.throwIfAborted();
        const ids = await this.store.dirtyBatch(RESOLVE_BATCH);
        if (!ids.length) break;
        const rows = [...(await this.store.usersByIds(ids)).values()];
        await this.mapper.resolveUsers(rows, context, run, 'all');
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
    if (run.stage === 'lastUsed') await this.readLastUsed(run);
  }

  /** System Log events since `from`: membership changes go to the mirror, the rest to the refresh queue. */
  private async readLog(run: OktaRunState) {
    const st = run.streams.log;
    if (!st || st.done) return;
    const reader = new OktaSystemLogReader(this.client, {
      since: run.from,
      // `until` is exclusive; a second more keeps events published in the
      // watermark's millisecond (the next run's overlap reads them again).
      until: new Date(Date.parse(run.watermark) + 1000).toISOString(),
      eventTypes: SYNC_EVENT_TYPES,
      ...this.pageSize,
    });
    await this.controls.read(reader, st, async events => {
      await this.mapper.ingestEvents(events);
      run.counts.events += events.length;
    });
    st.done = true;
    await this.save();
  }

  // --- last sign-in per app ----------------------------------------------

  private async readLastUsed(run: OktaRunState) {
    if (!this.options.config.lastUsed) return;
    const st = (run.streams.lastUsed ??= { done: false, phase: 'lastUsed' });
    if (st.done) return;
    const apps = await this.store.loadApps();
    const reader = new OktaSystemLogReader(this.client, {
      since: run.lastUsedFrom,
      until: run.watermark,
      eventTypes: ['user.authentication.sso'],
      ...this.pageSize,
    });
    await this.controls.read(reader, st, events =>
      this.mapper.markLastUsed(events, apps, run),
    );
    st.done = true;
    await this.save();
  }
}
