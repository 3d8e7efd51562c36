import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import { AppAccessFulfillmentApi } from '@app-access/plugin-app-access-node';
import { readOktaConfig } from './config';
import { OktaApi } from './OktaApi';
import { ProvisioningFollower } from './ProvisioningFollower';
import { FakeOkta } from './testing/FakeOkta';

describe('ProvisioningFollower', () => {
  let fake: FakeOkta;
  let api: OktaApi;

  beforeEach(async () => {
    fake = await FakeOkta.start();
    api = OktaApi.fromConfig(
      readOktaConfig(
        new ConfigReader({
          appAccess: { okta: { orgUrl: fake.url, apiToken: 'test-api-token' } },
        }),
      )!,
    );
  });

  afterEach(async () => {
    await fake.stop();
  });

  /** A request waiting since `minutesAgo`, assigned to `appId` in Okta. */
  function waiting(
    id: string,
    appId: string,
    userId: string,
    minutesAgo = 0,
  ): AccessRequest {
    const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    return {
      id,
      kind: 'access',
      appName: 'Figma',
      requester: `user:default/${id}`,
      status: 'awaiting_it',
      level: 0,
      externalRef: `okta-app:${appId}:${userId}`,
      fulfilledBy: 'okta-app',
      createdAt: at,
      updatedAt: at,
    };
  }

  function fulfillmentWith(requests: AccessRequest[]) {
    const complete = jest.fn(async () => {});
    const fulfillment: AppAccessFulfillmentApi = {
      listAwaiting: async fulfilledBy =>
        requests.filter(r => r.fulfilledBy === fulfilledBy),
      complete,
      note: jest.fn(async () => {}),
      getSettings: jest.fn(),
    };
    return { fulfillment, complete };
  }

  function assigned(app: { id: string }, login: string) {
    const user = fake.addUser({ login });
    fake.assignUserToApp(app.id, user.id);
    return user;
  }

  it('completes provisioned, failed, vanished and timed-out assignments; leaves the rest', async () => {
    const figma = fake.addApp({
      label: 'Figma',
      provisioning: { readsUntilProvisioned: 1 },
    });
    const broken = fake.addApp({
      label: 'Broken',
      provisioning: { readsUntilProvisioned: 1, syncError: true },
    });
    const slow = fake.addApp({
      label: 'Slow',
      provisioning: { readsUntilProvisioned: 100 },
    });
    const ann = assigned(figma, 'ann@acme.example');
    const ben = assigned(broken, 'ben@acme.example');
    const cid = assigned(slow, 'cid@acme.example');
    const dee = assigned(slow, 'dee@acme.example');
    const requests = [
      waiting('ann', figma.id, ann.id),
      waiting('ben', broken.id, ben.id),
      waiting('cid', slow.id, cid.id, 2),
      waiting('dee', slow.id, dee.id, 20),
      waiting('eve', figma.id, '00unobody'),
      {
        ...waiting('manual', figma.id, ann.id),
        externalRef: 'JIRA-1',
        fulfilledBy: 'okta-group',
      },
    ];
    const { fulfillment, complete } = fulfillmentWith(requests);
    const follower = new ProvisioningFollower({
      api,
      fulfillment,
      logger: mockServices.logger.mock(),
      provisioningTimeoutMs: 10 * 60_000,
    });

    expect(await follower.run()).toEqual({ checked: 5, completed: 4 });
    expect(complete.mock.calls).toEqual([
      [
        'ann',
        {
          status: 'fulfilled',
          message:
            'Okta provisioned the account in Figma (status PROVISIONED, sync SYNCHRONIZED)',
        },
      ],
      [
        'ben',
        {
          status: 'failed',
          message:
            "Okta could not provision the account in Figma (status STAGED, sync ERROR); fix the app's provisioning in Okta, then retry",
        },
      ],
      [
        'dee',
        {
          status: 'failed',
          message:
            "Okta did not finish provisioning the account in Figma within 10 min (status STAGED, sync SYNCING); check the app's provisioning in Okta, then retry or mark the request fulfilled",
        },
      ],
      [
        'eve',
        {
          status: 'failed',
          message: `The assignment to Figma is gone from Okta (Okta app ${figma.id}); someone unassigned it while it was provisioning`,
        },
      ],
    ]);
  });

  it('stops for this round when Okta rate-limits it', async () => {
    const figma = fake.addApp({
      label: 'Figma',
      provisioning: { readsUntilProvisioned: 1 },
    });
    const ann = assigned(figma, 'ann@acme.example');
    const { fulfillment, complete } = fulfillmentWith([
      waiting('ann', figma.id, ann.id),
      waiting('bob', figma.id, ann.id),
    ]);
    fake.failNext(1, { status: 429, resetInSeconds: 30 });
    const follower = new ProvisioningFollower({
      api,
      fulfillment,
      logger: mockServices.logger.mock(),
      provisioningTimeoutMs: 60_000,
    });
    expect(await follower.run()).toEqual({ checked: 1, completed: 0 });
    expect(complete).not.toHaveBeenCalled();
    expect(fake.requests).toHaveLength(1);
  });
});
