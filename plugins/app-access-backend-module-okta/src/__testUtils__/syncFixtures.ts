import { Knex } from 'knex';
import { FakeOkta } from '../testing/FakeOkta';
import { INACTIVE_STATUSES } from '../sync/OktaSync';
import {
  FIGMA_APP,
  ZOOM_APP,
  ZOOM_BASIC_GROUP,
  ZOOM_PRO_GROUP,
  emailOf,
  seedFakeOkta,
} from './oktaTestBackend';

export const SLACK_APP = '0oaslack000000000001';
export const INTRANET_APP = '0oaintranet000000001';
export const LEGACY_APP = '0oalegacy00000000001';
export const ENGINEERING = '00gengineering000001';
export const DESIGN = '00gdesign00000000001';
export const EVERYONE = '00geveryone000000001';

/** People only Okta knows (no User entity in the catalog). */
export const OKTA_ONLY = [
  { login: 'olga.okta@acme.example', title: 'Engineer', department: 'R&D' },
  { login: 'pete.okta@acme.example', title: 'Engineer', department: 'R&D' },
  { login: 'quinn.okta@acme.example', title: 'Engineer', department: 'R&D' },
  { login: 'rita.okta@acme.example', title: 'Designer', department: 'R&D' },
  { login: 'sven.okta@acme.example', title: 'Designer', department: 'R&D' },
  { login: 'tina.okta@acme.example', title: 'Designer', department: 'R&D' },
  // Same local part as the catalog's jane.doe, another person.
  {
    login: 'jane.doe@contractor.example',
    title: 'Engineer',
    department: 'R&D',
  },
];

/**
 * The tests' org: the fulfilment seed (catalog people in Okta, Zoom with two
 * groups, Figma) plus people only Okta knows, teams, an app the catalog does
 * not have (Slack, by group), one everybody has (Intranet, via Okta's
 * built-in Everyone group), an inactive app, direct assignments, and
 * deactivated people — one only Okta knows, one from the catalog.
 */
export function seedSyncOrg(fake: FakeOkta) {
  seedFakeOkta(fake);
  for (const p of OKTA_ONLY) {
    fake.addUser({
      login: p.login,
      profile: { title: p.title, department: p.department },
    });
  }
  fake.addUser({
    login: 'dan.gone@acme.example',
    status: 'DEPROVISIONED',
    profile: { title: 'Engineer' },
  });
  fake.addUser({ login: 'sue.away@acme.example', status: 'SUSPENDED' });
  fake.updateUser(emailOf('ana.silva'), { status: 'SUSPENDED' });

  fake.addGroup({ id: ENGINEERING, name: 'Engineering' });
  fake.addGroup({ id: DESIGN, name: 'Design' });
  fake.addGroup({ id: EVERYONE, name: 'Everyone', type: 'BUILT_IN' });
  fake.addApp({ id: SLACK_APP, label: 'Slack' });
  fake.addApp({ id: INTRANET_APP, label: 'Intranet' });
  fake.addApp({ id: LEGACY_APP, label: 'Legacy', status: 'INACTIVE' });

  const id = (login: string) => fake.findUser(login)!.id;
  for (const login of [
    'olga.okta@acme.example',
    'pete.okta@acme.example',
    'quinn.okta@acme.example',
    'jane.doe@contractor.example',
    'dan.gone@acme.example',
    emailOf('kim.lee'),
  ]) {
    fake.addToGroup(ENGINEERING, id(login));
  }
  for (const login of [
    'rita.okta@acme.example',
    'sven.okta@acme.example',
    'tina.okta@acme.example',
  ]) {
    fake.addToGroup(DESIGN, id(login));
  }
  for (const user of fake.users.values()) fake.addToGroup(EVERYONE, user.id);

  fake.assignGroupToApp(SLACK_APP, ENGINEERING);
  fake.assignGroupToApp(LEGACY_APP, ENGINEERING);
  fake.assignGroupToApp(INTRANET_APP, EVERYONE);
  fake.addToGroup(ZOOM_BASIC_GROUP, id('olga.okta@acme.example'));
  fake.addToGroup(ZOOM_BASIC_GROUP, id('quinn.okta@acme.example'));
  fake.addToGroup(ZOOM_BASIC_GROUP, id('rita.okta@acme.example'));
  fake.addToGroup(ZOOM_PRO_GROUP, id('pete.okta@acme.example'));
  fake.addToGroup(ZOOM_BASIC_GROUP, id(emailOf('jane.doe')));
  fake.addToGroup(ZOOM_BASIC_GROUP, id('dan.gone@acme.example'));
  for (const login of [
    'olga.okta@acme.example',
    'rita.okta@acme.example',
    'dan.gone@acme.example',
    emailOf('raj.patel'),
    emailOf('ana.silva'),
  ]) {
    fake.assignUserToApp(FIGMA_APP, id(login));
  }
  fake.assignUserToApp(SLACK_APP, id('sven.okta@acme.example'));
  // Direct on top of the group: counted once per source.
  fake.assignUserToApp(ZOOM_APP, id('quinn.okta@acme.example'));
}

/** Okta app id → App Access app id, as the sync recorded it. */
export async function appIdsOf(knex: Knex): Promise<Map<string, string>> {
  const rows = await knex('okta_sync_apps')
    .whereNotNull('catalog_id')
    .select('id', 'catalog_id');
  return new Map(rows.map((r: any) => [r.id, r.catalog_id]));
}

/** Okta user id → ref, as the sync recorded it. */
export async function refsOf(knex: Knex): Promise<Map<string, string>> {
  const rows = await knex('okta_sync_users').select('id', 'ref');
  return new Map(rows.map((r: any) => [r.id, r.ref]));
}

/**
 * What the core should hold after a sync, computed from the fake's own data:
 * `ref|appId|source` for every active user's direct app user (scope USER)
 * and every member of a group assigned to an app, for ACTIVE apps.
 */
export function expectedAssignments(
  fake: FakeOkta,
  refOf: Map<string, string>,
  appIdOf: Map<string, string>,
): string[] {
  const out = new Set<string>();
  const active = (userId: string) => {
    const user = fake.users.get(userId);
    return !!user && !INACTIVE_STATUSES.has(user.status);
  };
  for (const [oktaAppId, app] of fake.apps) {
    if (app.status !== 'ACTIVE') continue;
    const appId = appIdOf.get(oktaAppId);
    if (!appId) throw new Error(`No App Access id for ${app.label}`);
    for (const [userId, appUser] of fake.appUsers.get(oktaAppId)!) {
      if (appUser.scope === 'USER' && active(userId)) {
        out.add(`${refOf.get(userId)}|${appId}|okta-direct`);
      }
    }
    for (const groupId of fake.appGroups.get(oktaAppId)!.keys()) {
      for (const userId of fake.groupMembers.get(groupId) ?? []) {
        if (active(userId)) out.add(`${refOf.get(userId)}|${appId}|okta-group`);
      }
    }
  }
  return [...out].sort();
}

/** The Okta assignments the core holds, as `ref|appId|source`. */
export async function actualAssignments(knex: Knex): Promise<string[]> {
  const rows = await knex('app_assignments')
    .whereIn('source', ['okta-direct', 'okta-group'])
    .select('person_ref', 'app_id', 'source');
  return rows.map((r: any) => `${r.person_ref}|${r.app_id}|${r.source}`).sort();
}

export async function person(knex: Knex, ref: string) {
  const row = await knex('people').where({ ref }).first();
  if (!row) return undefined;
  const groups = await knex('person_groups')
    .where({ person_ref: ref })
    .orderBy('group_ref')
    .pluck('group_ref');
  return {
    ref: row.ref,
    source: row.source,
    active: Boolean(row.active),
    title: row.title ?? undefined,
    department: row.department ?? undefined,
    email: row.email ?? undefined,
    groups,
  };
}
