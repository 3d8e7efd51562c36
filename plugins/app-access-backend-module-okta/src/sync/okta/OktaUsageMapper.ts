import {
  AppAccessUsageApi,
  UsagePerson,
  UsageWriteOptions,
} from '@app-access/plugin-app-access-node';
import {
  CORE_USAGE_TABLES,
  MirrorApp,
  MirrorUser,
  OktaSyncStore,
} from '../OktaSyncStore';
import { groupRefFor, userRefCandidates } from '../refs';
import {
  eventTarget,
  OktaAppJson,
  OktaLogEvent,
  OktaUserJson,
} from './OktaObjects';
import { OktaRunState } from './OktaRunState';

/** Okta user statuses that count as "no longer here": their assignments go. */
export const INACTIVE_STATUSES = new Set(['DEPROVISIONED', 'SUSPENDED']);

/** What writing a batch of users needs to know of apps and groups. */
export type ResolveContext = {
  apps: Map<string, MirrorApp>;
  groups: Map<string, { name: string; type: string }>;
  groupApps: Map<string, string[]>;
};

/**
 * `people` writes the people only Okta knows and everyone's group
 * assignments; `direct` the direct assignments, and forgets users gone from
 * Okta; `all` does both (incremental runs).
 */
export type ResolvePart = 'people' | 'direct' | 'all';

type MapperRun = Pick<OktaRunState, 'id' | 'mode' | 'counts'>;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * What the Okta readers read, mapped into the mirror (`OktaSyncStore`) and
 * from there into App Access's people, assignments, discovered apps and last
 * sign-ins (the `AppAccessUsageApi` writes).
 */
export class OktaUsageMapper {
  /** Rows written through the usage API since the core's tables were last analyzed, and then. */
  private written = { since: 0, atLast: 0 };
  /** Users stored in the mirror by this attempt, and when its statistics were last refreshed. */
  private usersStored = { since: 0, atLast: 0 };
  /** Serializes ref minting across concurrent batches. */
  private refsLock: Promise<void> = Promise.resolve();

  constructor(
    private readonly usage: AppAccessUsageApi,
    private readonly store: OktaSyncStore,
  ) {}

  /** Each attempt keeps the planner's statistics in step from its own start. */
  startAttempt() {
    this.written = { since: 0, atLast: 0 };
    this.usersStored = { since: 0, atLast: 0 };
  }

  /** Stores a page of Okta users with the ref each maps to. */
  async ingestUsers(users: OktaUserJson[], run: MapperRun) {
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

  /** Apps → discovered in App Access (ACTIVE ones), stored with their App Access id. */
  async ingestApps(apps: OktaAppJson[], seenRun?: string) {
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

  /** System Log events: membership changes go to the mirror, the rest to the refresh queue. */
  async ingestEvents(events: OktaLogEvent[]) {
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
      const user = eventTarget(event, 'User', 'AppUser');
      const group = eventTarget(event, 'UserGroup');
      const app = eventTarget(event, 'AppInstance');
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

  async resolveContext(): Promise<ResolveContext> {
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
    // A ref App Access has from another source (the catalog) is taken even
    // when that person is not in Okta: an Okta-only contractor whose login
    // starts like a catalog user's name must not become that user.
    const sources = await this.usage.sourcesOf([
      ...owned.flatMap(r => (r.ref ? [r.ref] : [])),
      ...[...candidates.values()].flat(),
    ]);
    const otherSource = (ref: string) =>
      sources.has(ref) && sources.get(ref) !== 'okta';
    const taken = (ref: string, id: string) =>
      otherSource(ref) || (heldBy.get(ref) ?? []).some(h => h.id !== id);
    const changed: MirrorUser[] = [];
    for (const r of owned) {
      // A catalog person (someone else's email) now has this ref: make a new one.
      if (
        r.ref &&
        (otherSource(r.ref) ||
          (heldBy.get(r.ref) ?? []).some(h => h.id !== r.id && !h.owned))
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

  /** Writes these users' people and assignments (see `ResolvePart`). */
  async resolveUsers(
    rows: MirrorUser[],
    context: ResolveContext,
    run: MapperRun,
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

  /** A full run writes with the rollups left for later: they are recomputed once, at its end. */
  recomputeRollups() {
    return this.usage.recomputeRollups();
  }

  /** Sign-in events → each person's latest sign-in per app, in App Access. */
  async markLastUsed(
    events: OktaLogEvent[],
    apps: Map<string, MirrorApp>,
    run: MapperRun,
  ) {
    const latest = new Map<
      string,
      { userId: string; appId: string; at: string }
    >();
    for (const e of events) {
      const userId = e.actor?.id;
      const appId = eventTarget(e, 'AppInstance');
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
  }
}
