import crypto from 'node:crypto';
import { Client, DefaultRequestExecutor } from '@okta/okta-sdk-nodejs';
import { FakeOkta } from './FakeOkta';

/** The real SDK against the fake: if these pass, the fake speaks Okta well enough. */
describe('FakeOkta', () => {
  let fake: FakeOkta;

  const client = (token = 'test-api-token') =>
    new Client({
      orgUrl: fake.url,
      token,
      cacheMiddleware: null,
      requestExecutor: new DefaultRequestExecutor({
        maxRetries: 0,
        requestTimeout: 5000,
      }),
    });

  beforeEach(async () => {
    fake = await FakeOkta.start({ maxPageSize: 2 });
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('finds users by login and follows Link headers through pages', async () => {
    for (const name of ['ann', 'bob', 'cid', 'dee', 'eve']) {
      fake.addUser({ login: `${name}@acme.example` });
    }
    const okta = client();
    const bob = await okta.userApi.getUser({ userId: 'BOB@acme.example' });
    expect(bob.profile?.login).toBe('bob@acme.example');

    const logins: string[] = [];
    for await (const user of await okta.userApi.listUsers({ limit: 2 })) {
      logins.push(user!.profile!.login!);
    }
    expect(logins).toHaveLength(5);
    expect(fake.count('GET /api/v1/users')).toBe(3);

    const found: string[] = [];
    for await (const user of await okta.userApi.listUsers({
      search: 'profile.email eq "dee@acme.example"',
    })) {
      found.push(user!.id!);
    }
    expect(found).toEqual([fake.findUser('dee@acme.example')!.id]);
  });

  it('answers Okta error bodies: unknown user, bad token, forced 429 and 503', async () => {
    await expect(
      client().userApi.getUser({ userId: 'nobody@acme.example' }),
    ).rejects.toMatchObject({
      status: 404,
      errorCode: 'E0000007',
    });
    await expect(
      client('wrong').userApi.getUser({ userId: 'x' }),
    ).rejects.toMatchObject({
      status: 401,
      errorCode: 'E0000011',
      errorSummary: 'Invalid token provided',
    });

    fake.failNext(1, { status: 429, resetInSeconds: 30 });
    const error = await client()
      .groupApi.getGroup({ groupId: '00gmissing' })
      .catch(e => e);
    expect(error.status).toBe(429);
    expect(error.errorCode).toBe('E0000047');
    const reset = Number(error.headers.get('x-rate-limit-reset'));
    expect(reset * 1000 - Date.now()).toBeGreaterThan(25_000);

    fake.failNext(1, { status: 503, html: true });
    await expect(
      client().groupApi.getGroup({ groupId: 'x' }),
    ).rejects.toMatchObject({
      status: 503,
    });
  });

  it('rate limits per family with X-Rate-Limit headers', async () => {
    fake.setRateLimit('groups', 2);
    const group = fake.addGroup({ name: 'Engineering' });
    const okta = client();
    await okta.groupApi.getGroup({ groupId: group.id });
    await okta.groupApi.getGroup({ groupId: group.id });
    await expect(
      okta.groupApi.getGroup({ groupId: group.id }),
    ).rejects.toMatchObject({
      status: 429,
    });
    // Other families have their own bucket.
    await expect(
      okta.userApi.getUser({ userId: 'nobody' }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it('provisions app users after some reads and reports E0000007 when not assigned', async () => {
    const user = fake.addUser({ login: 'jane@acme.example' });
    const app = fake.addApp({
      label: 'Zoom',
      provisioning: { readsUntilProvisioned: 2 },
    });
    const okta = client();
    await expect(
      okta.applicationApi.getApplicationUser({
        appId: app.id,
        userId: user.id,
      }),
    ).rejects.toMatchObject({ status: 404, errorCode: 'E0000007' });

    const assigned = await okta.applicationApi.assignUserToApplication({
      appId: app.id,
      appUser: { id: user.id, scope: 'USER' },
    });
    expect(assigned).toMatchObject({ status: 'STAGED', syncState: 'SYNCING' });
    const first = await okta.applicationApi.getApplicationUser({
      appId: app.id,
      userId: user.id,
    });
    expect(first.status).toBe('STAGED');
    const second = await okta.applicationApi.getApplicationUser({
      appId: app.id,
      userId: user.id,
    });
    expect(second).toMatchObject({
      status: 'PROVISIONED',
      syncState: 'SYNCHRONIZED',
    });

    const fetched = await okta.applicationApi.getApplication({ appId: app.id });
    expect(fetched).toMatchObject({
      id: app.id,
      label: 'Zoom',
      status: 'ACTIVE',
    });
  });

  it('adds group members idempotently and gives group members app users', async () => {
    const user = fake.addUser({ login: 'jane@acme.example' });
    const group = fake.addGroup({ name: 'Zoom users' });
    const app = fake.addApp({ label: 'Zoom' });
    fake.assignGroupToApp(app.id, group.id);
    const okta = client();
    await okta.groupApi.assignUserToGroup({
      groupId: group.id,
      userId: user.id,
    });
    await okta.groupApi.assignUserToGroup({
      groupId: group.id,
      userId: user.id,
    });
    expect([...fake.groupMembers.get(group.id)!]).toEqual([user.id]);
    expect(fake.getAppUser(app.id, user.id)).toMatchObject({
      scope: 'GROUP',
      status: 'ACTIVE',
    });

    const members: string[] = [];
    for await (const m of await okta.groupApi.listGroupUsers({
      groupId: group.id,
    })) {
      members.push(m!.id!);
    }
    expect(members).toEqual([user.id]);
  });

  it('issues OAuth access tokens for a private key JWT and checks scopes', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
      modulusLength: 2048,
    });
    await fake.stop();
    fake = await FakeOkta.start({
      oauthClients: [
        {
          clientId: '0oaclient',
          publicKey,
          grantedScopes: ['okta.users.read'],
        },
      ],
    });
    fake.addUser({ login: 'jane@acme.example' });
    fake.addGroup({ name: 'Engineering', id: '00geng' });
    const okta = new Client({
      orgUrl: fake.url,
      authorizationMode: 'PrivateKey',
      clientId: '0oaclient',
      scopes: ['okta.users.read'],
      privateKey: privateKey
        .export({ format: 'pem', type: 'pkcs1' })
        .toString(),
      keyId: 'kid1',
      cacheMiddleware: null,
      requestExecutor: new DefaultRequestExecutor({
        maxRetries: 0,
        requestTimeout: 5000,
      }),
    });
    const user = await okta.userApi.getUser({ userId: 'jane@acme.example' });
    expect(user.profile?.login).toBe('jane@acme.example');
    await expect(
      okta.groupApi.getGroup({ groupId: '00geng' }),
    ).rejects.toMatchObject({
      status: 403,
      errorCode: 'E0000006',
    });
  });
});

describe('FakeOkta System Log and sync helpers', () => {
  let fake: FakeOkta;

  const client = () =>
    new Client({
      orgUrl: fake.url,
      token: 'test-api-token',
      cacheMiddleware: null,
      requestExecutor: new DefaultRequestExecutor({
        maxRetries: 0,
        requestTimeout: 5000,
      }),
    });

  beforeEach(async () => {
    fake = await FakeOkta.start({ maxPageSize: 2 });
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('records changes in the System Log, which the SDK reads with since, until and or-filters', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const user = fake.addUser({ login: 'jane@acme.example' });
    const group = fake.addGroup({ name: 'Engineering' });
    const app = fake.addApp({ label: 'Slack' });
    fake.assignGroupToApp(app.id, group.id);
    fake.addToGroup(group.id, user.id);
    fake.removeFromGroup(group.id, user.id);
    fake.recordSignIn(app.id, user.id);

    const types: string[] = [];
    for await (const event of await client().systemLogApi.listLogEvents({
      since,
      until: new Date(Date.now() + 1000).toISOString(),
      filter:
        'eventType eq "group.user_membership.add" or eventType eq "group.user_membership.remove" or eventType eq "application.user_membership.add"',
    })) {
      types.push(event!.eventType!);
    }
    expect(types).toEqual([
      'group.user_membership.add',
      'application.user_membership.add',
      'group.user_membership.remove',
    ]);
    // Two events per page: several pages.
    expect(fake.count('GET /api/v1/logs')).toBe(2);
    const [membership] = fake.events.filter(
      e => e.eventType === 'group.user_membership.add',
    );
    expect(membership.target.map(t => [t.type, t.id])).toEqual([
      ['User', user.id],
      ['UserGroup', group.id],
    ]);
    const sso = fake.events.find(
      e => e.eventType === 'user.authentication.sso',
    )!;
    expect(sso.actor.id).toBe(user.id);
    expect(sso.target).toEqual([
      expect.objectContaining({ type: 'AppInstance', id: app.id }),
    ]);

    // Removing the member took the app the group gave.
    expect(fake.getAppUser(app.id, user.id)).toBeUndefined();
  });

  it('leaves deactivated users out of a plain list, but not out of a search', async () => {
    fake.addUser({ login: 'ann@acme.example' });
    fake.addUser({ login: 'bob@acme.example', status: 'DEPROVISIONED' });
    const logins = async (params: Record<string, string>) => {
      const out: string[] = [];
      for await (const u of await client().userApi.listUsers(params)) {
        out.push(u!.profile!.login!);
      }
      return out;
    };
    expect(await logins({})).toEqual(['ann@acme.example']);
    expect(
      await logins({ search: 'lastUpdated gt "1970-01-01T00:00:00.000Z"' }),
    ).toEqual(['ann@acme.example', 'bob@acme.example']);
    expect(
      await logins({
        search:
          'status eq "DEPROVISIONED" or profile.login eq "ann@acme.example"',
      }),
    ).toEqual(['ann@acme.example', 'bob@acme.example']);
  });

  it('keeps a direct assignment as GROUP when a group still gives the app, and can fail after N requests', async () => {
    const user = fake.addUser({ login: 'jane@acme.example' });
    const group = fake.addGroup({ name: 'Everyone here' });
    const app = fake.addApp({ label: 'Zoom' });
    fake.addToGroup(group.id, user.id);
    fake.assignGroupToApp(app.id, group.id);
    fake.assignUserToApp(app.id, user.id);
    expect(fake.getAppUser(app.id, user.id)!.scope).toBe('USER');
    fake.unassignUserFromApp(app.id, user.id);
    expect(fake.getAppUser(app.id, user.id)!.scope).toBe('GROUP');

    fake.failNext(1, { status: 503, family: 'users', skip: 2 });
    await client().userApi.getUser({ userId: user.id });
    await client().userApi.getUser({ userId: user.id });
    await expect(
      client().userApi.getUser({ userId: user.id }),
    ).rejects.toMatchObject({
      status: 503,
    });
    await client().userApi.getUser({ userId: user.id });
    expect(fake.requests.map(r => r.status)).toEqual([200, 200, 503, 200]);
    expect(fake.requests[0].rateLimit).toMatchObject({
      limit: 600,
      remaining: 599,
    });
  });

  it('moves timestamps into the past', () => {
    const user = fake.addUser({ login: 'jane@acme.example' });
    const before = Date.parse(user.lastUpdated);
    fake.backdate(3600_000);
    expect(Date.parse(user.lastUpdated)).toBe(before - 3600_000);
    expect(Date.parse(fake.events[0].published)).toBeLessThan(
      Date.now() - 3500_000,
    );
  });
});
