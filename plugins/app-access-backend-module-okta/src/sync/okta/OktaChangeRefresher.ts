import { SyncRunControls } from '../engine/IncrementalSyncEngine';
import { OktaSyncClient } from '../OktaSyncClient';
import { MirrorApp, OktaSyncStore } from '../OktaSyncStore';
import {
  OktaAppGroupJson,
  OktaAppJson,
  OktaAppUserJson,
  OktaGroupJson,
} from './OktaObjects';
import { OktaRunState } from './OktaRunState';
import { OktaUsageMapper } from './OktaUsageMapper';
import {
  OktaAppGroupsReader,
  OktaAppUsersReader,
  readAppAssignments,
} from './readers/OktaAppAssignmentsReader';

/** Above this many changed assignments of one app, read its users list instead. */
const PAIRS_PER_APP_REREAD = 100;

/** What a refresh of one queued change reads again. */
type PendingKind = 'group' | 'app' | 'appGroups' | 'appUsers' | 'pair';

/**
 * The refresh stage of an incremental run: the System Log's events only say
 * what changed, so this reads again the groups, apps, app groups, app users
 * and single assignments they point at (queued in the mirror), and queues
 * the people whose assignments that changes.
 */
export class OktaChangeRefresher {
  private controls!: SyncRunControls;

  constructor(
    private readonly options: {
      client: OktaSyncClient;
      store: OktaSyncStore;
      mapper: OktaUsageMapper;
      pageSize?: number;
      concurrency?: number;
    },
  ) {}

  private get store() {
    return this.options.store;
  }

  private get client() {
    return this.options.client;
  }

  private get pageSize() {
    return { pageSize: this.options.pageSize };
  }

  private get signal() {
    return this.controls.signal;
  }

  /** Reads again what the events point at: groups, apps, app groups, app users, single assignments. */
  async refresh(run: OktaRunState, controls: SyncRunControls) {
    this.controls = controls;
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
            this.signal.throwIfAborted();
            const key = keys[next++];
            await this.refreshOne(run, kind, key);
            done.push(key);
            run.counts.refreshed += 1;
          }
        };
        try {
          await this.controls.parallel(
            Array.from(
              { length: Math.max(1, this.options.concurrency ?? 4) },
              () => worker,
            ),
          );
        } finally {
          await this.store.removePending(kind, done);
          await this.controls.save();
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

  private async refreshOne(run: OktaRunState, kind: PendingKind, key: string) {
    const signal = this.signal;
    const count = (family: string) => this.controls.countPage(family);
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
        [after] = await this.options.mapper.ingestApps([app]);
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
      const found = await readAppAssignments<OktaAppGroupJson>(
        this.controls,
        this.store,
        new OktaAppGroupsReader(this.client, key, this.pageSize),
        key,
        {},
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
      const found = await readAppAssignments<OktaAppUserJson>(
        this.controls,
        this.store,
        new OktaAppUsersReader(this.client, key, this.pageSize),
        key,
        {},
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
}
