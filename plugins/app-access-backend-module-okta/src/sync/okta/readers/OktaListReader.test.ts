import { FakeOkta } from '../../../testing/FakeOkta';
import { OktaSyncClient } from '../../OktaSyncClient';
import { OktaThrottle } from '../../OktaThrottle';
import { OktaAppUsersReader } from './OktaAppAssignmentsReader';
import { OktaGroupMembersReader } from './OktaGroupMembersReader';
import { OktaSystemLogReader } from './OktaSystemLogReader';
import { OktaUsersReader } from './OktaUsersReader';

describe('Okta readers', () => {
  let fake: FakeOkta;
  let client: OktaSyncClient;
  const context = { signal: new AbortController().signal };

  beforeEach(async () => {
    fake = await FakeOkta.start({ maxPageSize: 2 });
    client = new OktaSyncClient(
      {
        orgUrl: fake.url,
        auth: { type: 'apiToken', token: 'test-api-token' },
        requestTimeoutMs: 10_000,
      },
      new OktaThrottle({ reservePercent: 0 }),
      { attempts: 1, retryDelayMs: 1 },
    );
  });

  afterEach(() => fake.stop());

  it('reads users a page at a time, each page from the cursor of the one before', async () => {
    for (const name of ['ada', 'bob', 'cy', 'dee', 'eve']) {
      fake.addUser({ login: `${name}@example.com` });
    }
    fake.updateUser('eve@example.com', { status: 'DEPROVISIONED' });
    const reader = new OktaUsersReader(client, {
      since: '1970-01-01T00:00:00.000Z',
    });

    const logins: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await reader.next(context, cursor);
      pages += 1;
      logins.push(...page.items.map(u => String(u.profile?.login)));
      if (page.done) break;
      cursor = page.cursor;
    }

    expect(pages).toBe(3);
    expect(logins.sort()).toEqual([
      'ada@example.com',
      'bob@example.com',
      'cy@example.com',
      'dee@example.com',
      'eve@example.com',
    ]);
    expect(reader.family).toBe('users');
  });

  it("reads one group's members and one app's users, and surfaces Okta's 404 for a missing one", async () => {
    const ada = fake.addUser({ login: 'ada@example.com' });
    const group = fake.addGroup({ name: 'Engineering' });
    fake.addToGroup(group.id, ada.id);
    const app = fake.addApp({ label: 'Figma' });
    fake.assignUserToApp(app.id, ada.id);

    const members = await new OktaGroupMembersReader(client, group.id).next(
      context,
      undefined,
    );
    const appUsers = await new OktaAppUsersReader(client, app.id).next(
      context,
      undefined,
    );

    expect(members).toEqual({
      done: true,
      items: [expect.objectContaining({ id: ada.id })],
    });
    expect(appUsers).toEqual({
      done: true,
      items: [expect.objectContaining({ id: ada.id, scope: 'USER' })],
    });
    await expect(
      new OktaGroupMembersReader(client, '00gmissing').next(context, undefined),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('reads only the System Log events it asks for, oldest first', async () => {
    const ada = fake.addUser({ login: 'ada@example.com' });
    const group = fake.addGroup({ name: 'Engineering' });
    fake.addToGroup(group.id, ada.id);
    fake.removeFromGroup(group.id, ada.id);

    const page = await new OktaSystemLogReader(client, {
      since: new Date(Date.now() - 60_000).toISOString(),
      until: new Date(Date.now() + 1000).toISOString(),
      eventTypes: ['group.user_membership.add', 'group.user_membership.remove'],
    }).next(context, undefined);

    expect(page.items.map(e => e.eventType)).toEqual([
      'group.user_membership.add',
      'group.user_membership.remove',
    ]);
  });
});
