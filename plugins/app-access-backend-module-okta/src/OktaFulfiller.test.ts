import crypto from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { App, FulfillmentSpec } from '@app-access/plugin-app-access-common';
import { FulfillmentContext } from '@app-access/plugin-app-access-node';
import { readOktaConfig } from './config';
import { OktaApi } from './OktaApi';
import { OktaFulfiller } from './OktaFulfiller';
import { FakeOkta } from './testing/FakeOkta';

const GROUP = '00gengineering000001';
const APP = '0oafigma000000000001';
const JANE = 'jane.doe@acme.example';

describe('OktaFulfiller', () => {
  let fake: FakeOkta;

  beforeEach(async () => {
    fake = await FakeOkta.start();
    fake.addUser({ login: JANE });
    fake.addGroup({ id: GROUP, name: 'Engineering' });
    fake.addApp({
      id: APP,
      label: 'Figma',
      provisioning: { readsUntilProvisioned: 2 },
    });
  });

  afterEach(async () => {
    await fake.stop();
  });

  function fulfillerFor(okta: Record<string, unknown> = {}) {
    const config = readOktaConfig(
      new ConfigReader({
        appAccess: {
          okta: {
            orgUrl: fake.url,
            apiToken: 'test-api-token',
            pollSeconds: 0.01,
            ...okta,
          },
        },
      }),
    )!;
    return new OktaFulfiller({
      api: OktaApi.fromConfig(config),
      logger: mockServices.logger.mock(),
      provisioningTimeoutMs: config.provisioningTimeoutMs,
      pollMs: config.pollMs,
    });
  }

  function contextFor(spec: FulfillmentSpec, email: string | null = JANE) {
    const app: App = {
      id: 'figma',
      name: 'Figma',
      category: 'Design',
      listed: true,
      externalIds: {},
      tiers: [{ id: 'editor', name: 'Editor', fulfillment: spec }],
    };
    const checkpoint = jest.fn(
      async (_data: { externalRef?: string; note?: string }) => {},
    );
    const context: FulfillmentContext = {
      request: {
        id: 'req-1',
        kind: 'access',
        appId: 'figma',
        tierId: 'editor',
        appName: 'Figma',
        requester: 'user:default/jane.doe',
        status: 'fulfilling',
        level: 0,
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      },
      app,
      tier: app.tiers[0],
      spec,
      requester: {
        ref: 'user:default/jane.doe',
        email: email ?? undefined,
        groups: [],
      },
      idempotencyKey: 'app-access-req-1',
      requestUrl: 'http://localhost:3000/apps/requests/req-1',
      checkpoint,
    };
    return { context, checkpoint };
  }

  const appSpec: FulfillmentSpec = { type: 'okta-app', oktaAppId: APP };
  const groupSpec: FulfillmentSpec = { type: 'okta-group', oktaGroupId: GROUP };

  it('assigns an app only once when fulfill runs twice', async () => {
    const fulfiller = fulfillerFor();
    const { context } = contextFor(appSpec);
    const first = await fulfiller.fulfill(context);
    const second = await fulfiller.fulfill(context);
    expect(first).toMatchObject({ status: 'fulfilled' });
    expect(second).toMatchObject({
      status: 'fulfilled',
      message: `Okta provisioned ${JANE} in Figma (status PROVISIONED, sync SYNCHRONIZED)`,
    });
    expect(fake.count('POST /api/v1/apps/:appId/users')).toBe(1);
  });

  it('assigns once when a crash lost the first result', async () => {
    const fulfiller = fulfillerFor();
    const { context, checkpoint } = contextFor(appSpec);
    await fulfiller.fulfill(context); // result thrown away, as if the process died
    const again = await fulfiller.fulfill(context);
    expect(again.status).toBe('fulfilled');
    expect(fake.count('POST /api/v1/apps/:appId/users')).toBe(1);
    const user = fake.findUser(JANE)!;
    expect(checkpoint).toHaveBeenCalledWith({
      note: `${JANE} is already assigned to Figma in Okta (status PROVISIONED, sync SYNCHRONIZED)`,
      externalRef: `okta-app:${APP}:${user.id}`,
    });
  });

  it('adds to a group with an idempotent PUT', async () => {
    const fulfiller = fulfillerFor();
    const { context, checkpoint } = contextFor(groupSpec);
    expect(await fulfiller.fulfill(context)).toMatchObject({
      status: 'fulfilled',
      message: `Added ${JANE} to Okta group Engineering (${GROUP})`,
    });
    expect(await fulfiller.fulfill(context)).toMatchObject({
      status: 'fulfilled',
    });
    expect([...fake.groupMembers.get(GROUP)!]).toEqual([
      fake.findUser(JANE)!.id,
    ]);
    expect(checkpoint).toHaveBeenCalledTimes(2);
  });

  it('asks to retry after X-Rate-Limit-Reset on a 429, without retrying inside the SDK', async () => {
    fake.failNext(1, { status: 429, resetInSeconds: 20 });
    const result = await fulfillerFor().fulfill(contextFor(groupSpec).context);
    expect(result).toMatchObject({ status: 'retry' });
    const { retryAfterMs, error } = result as {
      retryAfterMs: number;
      error: string;
    };
    expect(retryAfterMs).toBeGreaterThan(19_000);
    expect(retryAfterMs).toBeLessThanOrEqual(22_000);
    expect(error).toMatch(
      /^Okta rate limit reached \(E0000047 API call exceeded rate limit/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('asks to retry when Okta is down or unreachable', async () => {
    fake.failNext(1, { status: 503 });
    expect(await fulfillerFor().fulfill(contextFor(groupSpec).context)).toEqual(
      {
        status: 'retry',
        error: 'Okta is unavailable (HTTP 503, E0000009 Internal Server Error)',
      },
    );
    const slowOkta = await FakeOkta.start({ latencyMs: 1500 });
    try {
      expect(
        await fulfillerFor({
          orgUrl: slowOkta.url,
          requestTimeoutSeconds: 0.2,
        }).fulfill(contextFor(groupSpec).context),
      ).toMatchObject({
        status: 'retry',
        error: expect.stringMatching(
          /^Okta did not answer in time \(appAccess.okta.requestTimeoutSeconds\): network timeout at/,
        ),
      });
    } finally {
      await slowOkta.stop();
    }
    fake.failNext(1, { disconnect: true });
    expect(
      await fulfillerFor().fulfill(contextFor(groupSpec).context),
    ).toMatchObject({
      status: 'retry',
      error: expect.stringMatching(/^org URL unreachable: socket hang up/),
    });
  });

  it('fails for good with a readable reason', async () => {
    const fulfiller = fulfillerFor();
    expect(
      await fulfiller.fulfill(
        contextFor(groupSpec, 'nobody@acme.example').context,
      ),
    ).toEqual({
      status: 'failed',
      error:
        "No Okta user with login nobody@acme.example — check the person's Okta login",
    });
    expect(
      await fulfiller.fulfill(contextFor(groupSpec, null).context),
    ).toEqual({
      status: 'failed',
      error:
        'user:default/jane.doe has no email (spec.profile.email) in the catalog; App Access finds Okta users by it',
    });
    expect(
      await fulfiller.fulfill(
        contextFor({ type: 'okta-group', oktaGroupId: '00gmissing' }).context,
      ),
    ).toEqual({ status: 'failed', error: 'Okta group 00gmissing not found' });
    expect(
      await fulfiller.fulfill(
        contextFor({ type: 'okta-app', oktaAppId: '0oamissing' }).context,
      ),
    ).toEqual({ status: 'failed', error: 'Okta app 0oamissing not found' });

    fake.apps.get(APP)!.status = 'INACTIVE';
    expect(await fulfiller.fulfill(contextFor(appSpec).context)).toEqual({
      status: 'failed',
      error: `Okta app Figma (${APP}) is INACTIVE; activate it in Okta, then retry`,
    });

    fake.addGroup({ id: '00gappgroup', name: 'Imported', type: 'APP_GROUP' });
    expect(
      await fulfiller.fulfill(
        contextFor({ type: 'okta-group', oktaGroupId: '00gappgroup' }).context,
      ),
    ).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/is a APP_GROUP/),
    });

    fake.findUser(JANE)!.status = 'DEPROVISIONED';
    expect(
      await fulfiller.fulfill(contextFor(groupSpec).context),
    ).toMatchObject({
      status: 'failed',
      error: `The Okta user ${JANE} is deactivated (DEPROVISIONED); reactivate them in Okta, then retry`,
    });

    expect(
      await fulfillerFor({ apiToken: 'revoked' }).fulfill(
        contextFor(groupSpec).context,
      ),
    ).toEqual({
      status: 'failed',
      error: 'Okta rejected the API token (E0000011 Invalid token provided)',
    });
  });

  it('finds a person whose Okta login differs from their email by primary email', async () => {
    const user = fake.addUser({ login: 'kim', email: 'kim.lee@acme.example' });
    const result = await fulfillerFor().fulfill(
      contextFor(groupSpec, 'kim.lee@acme.example').context,
    );
    expect(result).toMatchObject({
      status: 'fulfilled',
      message: expect.stringMatching(/^Added kim to/),
    });
    expect(fake.isMember(GROUP, user.id)).toBe(true);
  });

  it('reports a provisioning error and hands slow provisioning over', async () => {
    fake.apps.get(APP)!.provisioning = {
      readsUntilProvisioned: 1,
      syncError: true,
    };
    expect(await fulfillerFor().fulfill(contextFor(appSpec).context)).toEqual({
      status: 'failed',
      error: `Okta could not provision ${JANE} in Figma (status STAGED, sync ERROR); fix the app's provisioning in Okta, then retry`,
    });

    fake.resetCounters();
    const slow = fake.addApp({
      label: 'Slow',
      provisioning: { readsUntilProvisioned: 50 },
    });
    const { context, checkpoint } = contextFor({
      type: 'okta-app',
      oktaAppId: slow.id,
    });
    const result = await fulfillerFor().fulfill(context);
    expect(result).toMatchObject({
      status: 'awaiting_it',
      externalRef: `okta-app:${slow.id}:${fake.findUser(JANE)!.id}`,
      message: expect.stringMatching(/checks every 0.01 s for up to 10 min$/),
    });
    // The look before assigning, three inline reads, then the hand-over.
    expect(fake.count('GET /api/v1/apps/:appId/users/:userId')).toBe(1 + 3);
    expect(checkpoint).toHaveBeenCalledTimes(1);
  });

  it('works with an OAuth service app and says which scope is missing', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
      modulusLength: 2048,
    });
    await fake.stop();
    fake = await FakeOkta.start({
      oauthClients: [
        {
          clientId: '0oaservice',
          publicKey,
          grantedScopes: [
            'okta.users.read',
            'okta.groups.manage',
            'okta.apps.read',
          ],
        },
      ],
    });
    fake.addUser({ login: JANE });
    fake.addGroup({ id: GROUP, name: 'Engineering' });
    const oauth = {
      apiToken: undefined,
      oauth: {
        clientId: '0oaservice',
        privateKey: privateKey
          .export({ format: 'pem', type: 'pkcs8' })
          .toString(),
        keyId: 'key-1',
        scopes: 'okta.users.read okta.groups.manage okta.apps.read',
      },
    };
    const fulfiller = fulfillerFor(oauth);
    expect(
      await fulfiller.fulfill(contextFor(groupSpec).context),
    ).toMatchObject({
      status: 'fulfilled',
    });
    expect(await fulfiller.selfTest()).toEqual({
      ok: true,
      message: `Connected to ${fake.url} with OAuth service app 0oaservice`,
      details: [
        'Users can be looked up',
        'Groups can be read',
        'Apps can be read',
      ],
    });

    fake.addApp({ id: APP, label: 'Figma' });
    expect(await fulfiller.fulfill(contextFor(appSpec).context)).toEqual({
      status: 'failed',
      error:
        'Okta refused: the service app lacks the scope okta.apps.manage (E0000006 You do not have permission to perform the requested action)',
    });

    const notGranted = fulfillerFor({
      ...oauth,
      oauth: { ...oauth.oauth, scopes: ['okta.users.manage'] },
    });
    expect(await notGranted.selfTest()).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^Okta refused the OAuth service app's token request \(HTTP 400 invalid_scope: The following scopes were requested, but not granted to the client: okta.users.manage\); check appAccess.okta.oauth.clientId/,
      ),
    });
  });

  it('self-tests the token and the org URL', async () => {
    expect(await fulfillerFor().selfTest()).toMatchObject({ ok: true });
    expect(await fulfillerFor({ apiToken: 'bad' }).selfTest()).toEqual({
      ok: false,
      message: 'Okta rejected the API token (E0000011 Invalid token provided)',
      details: [],
    });
    // Port 1 is never an Okta org.
    const unreachable = fulfillerFor({ orgUrl: 'http://127.0.0.1:1' });
    expect(await unreachable.selfTest()).toEqual({
      ok: false,
      message: 'org URL unreachable: connect ECONNREFUSED 127.0.0.1:1',
      details: [],
    });
  });
});
