/*
 * The Okta org of the Okta benchmarks (bench/okta-sync.ts, bench/okta-memory.mjs):
 * users, groups and apps with skewed group sizes and app popularity, like
 * real ones, seeded into a FakeOkta from a fixed random seed, and the number
 * of assignments App Access should hold once a full sync has read it.
 */
import type { FakeOkta } from '../../plugins/app-access-backend-module-okta/src/testing/FakeOkta';

export type OktaOrgShape = {
  users: number;
  groups: number;
  apps: number;
  /** App users in Okta: distinct user/app pairs. */
  assignments: number;
  /** Share of the app users assigned directly; the rest by group. */
  directShare: number;
  seed: number;
};

/**
 * The org's shape from BENCH_USERS, BENCH_GROUPS, BENCH_APPS,
 * BENCH_ASSIGNMENTS, BENCH_DIRECT_SHARE and BENCH_SEED; unset ones from
 * `defaults` (the 100k-people org of issue #20 unless given).
 */
export function orgShapeFromEnv(
  defaults: OktaOrgShape = {
    users: 100_000,
    groups: 5_000,
    apps: 1_000,
    assignments: 2_000_000,
    directShare: 0.2,
    seed: 42,
  },
): OktaOrgShape {
  const read = (name: string, fallback: number) => {
    const raw = process.env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
    return value;
  };
  return {
    users: read('BENCH_USERS', defaults.users),
    groups: read('BENCH_GROUPS', defaults.groups),
    apps: read('BENCH_APPS', defaults.apps),
    assignments: read('BENCH_ASSIGNMENTS', defaults.assignments),
    directShare: read('BENCH_DIRECT_SHARE', defaults.directShare),
    seed: read('BENCH_SEED', defaults.seed),
  };
}

/** Job titles in the org (people's `title`). */
export const TITLES = 400;
const DEPARTMENTS = 25;

/** Deterministic random numbers (mulberry32). */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same rate limit (requests per window) for every endpoint family of the fake. */
export function everyFamily(perWindow: number) {
  return {
    users: perWindow,
    groups: perWindow,
    apps: perWindow,
    logs: perWindow,
    oauth: perWindow,
    other: perWindow,
  };
}

/** Seeds the org into the fake; returns its ids and what it holds. */
export function seedOktaOrg(fake: FakeOkta, shape: OktaOrgShape) {
  const { users, groups, apps, assignments, directShare, seed } = shape;
  const rnd = random(seed);
  const userIds: string[] = [];
  const padded = (i: number, w: number) => String(i).padStart(w, '0');
  for (let i = 0; i < users; i++) {
    const r = rnd();
    const user = fake.addUser({
      id: `00u${padded(i, 17)}`,
      login: `user${padded(i, 6)}@bench.example`,
      status: r < 0.005 ? 'DEPROVISIONED' : r < 0.01 ? 'SUSPENDED' : 'ACTIVE',
      profile: {
        title: `Title ${Math.floor(rnd() * TITLES)}`,
        department: `Dept ${Math.floor(rnd() * DEPARTMENTS)}`,
      },
    });
    userIds.push(user.id);
  }
  const groupIds: string[] = [];
  for (let g = 0; g < groups; g++) {
    groupIds.push(
      fake.addGroup({ id: `00g${padded(g, 17)}`, name: `Group ${g}` }).id,
    );
  }
  const appIds: string[] = [];
  for (let a = 0; a < apps; a++) {
    appIds.push(
      fake.addApp({
        id: `0oa${padded(a, 17)}`,
        label: `App ${a}`,
        // 2 % of apps are switched off: nobody counts as using them.
        status: a % 50 === 49 ? 'INACTIVE' : 'ACTIVE',
      }).id,
    );
  }
  // Memberships: 4 groups per person; a fifth of them among the 5 % biggest groups.
  let memberships = 0;
  for (const userId of userIds) {
    for (let k = 0; k < 4; k++) {
      const g =
        k === 0 && rnd() < 0.8
          ? Math.floor(rnd() ** 3 * groups * 0.05)
          : Math.floor(rnd() * groups);
      fake.addToGroup(groupIds[g], userId);
    }
  }
  for (const members of fake.groupMembers.values()) memberships += members.size;

  // Group assignments until the group share of app users is reached.
  const appUserCount = () => {
    let total = 0;
    for (const m of fake.appUsers.values()) total += m.size;
    return total;
  };
  const groupTarget = assignments * (1 - directShare);
  let total = 0;
  let groupAssignments = 0;
  const order = [...groupIds].sort(() => rnd() - 0.5);
  for (let round = 0; total < groupTarget && round < 100; round++) {
    for (const groupId of order) {
      const app = appIds[Math.floor(rnd() ** 2 * apps)];
      const before = fake.appUsers.get(app)!.size;
      fake.assignGroupToApp(app, groupId);
      groupAssignments += 1;
      total += fake.appUsers.get(app)!.size - before;
      if (total >= groupTarget) break;
    }
  }
  // Direct assignments for the rest.
  let direct = 0;
  while (appUserCount() < assignments) {
    for (let i = 0; i < 10_000; i++) {
      const app = appIds[Math.floor(rnd() ** 1.5 * apps)];
      const user = userIds[Math.floor(rnd() * users)];
      const existing = fake.appUsers.get(app)!.get(user);
      if (existing?.scope === 'USER') continue;
      fake.assignUserToApp(app, user);
      direct += 1;
    }
  }
  return {
    userIds,
    groupIds,
    appIds,
    memberships,
    groupAssignments,
    direct,
    appUsers: appUserCount(),
  };
}

/** Assignments the core should hold (distinct person/app/source), from the fake's data. */
export function expectedAssignments(fake: FakeOkta) {
  const inactive = new Set(['DEPROVISIONED', 'SUSPENDED']);
  let total = 0;
  for (const [appId, app] of fake.apps) {
    if (app.status !== 'ACTIVE') continue;
    const viaGroups = new Set<string>();
    for (const groupId of fake.appGroups.get(appId)!.keys()) {
      for (const u of fake.groupMembers.get(groupId)!) viaGroups.add(u);
    }
    for (const u of viaGroups)
      if (!inactive.has(fake.users.get(u)!.status)) total += 1;
    for (const [u, appUser] of fake.appUsers.get(appId)!) {
      if (appUser.scope === 'USER' && !inactive.has(fake.users.get(u)!.status))
        total += 1;
    }
  }
  return total;
}
