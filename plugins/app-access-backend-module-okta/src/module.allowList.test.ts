import { TestDatabases } from '@backstage/backend-test-utils';
import { FakeOkta } from './testing/FakeOkta';
import {
  ADMIN,
  FIGMA_APP,
  MANAGER,
  OktaTestBackend,
  ZOOM_BASIC_GROUP,
  ZOOM_PRO_GROUP,
  emailOf,
  ref,
  seedFakeOkta,
  startOktaTestBackend,
  waitFor,
} from './__testUtils__/oktaTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const OKTA_ADMINS_GROUP = '00gsuperadmins000001';

describe.each(databases.eachSupportedId())(
  'the Okta allow-list on %p',
  databaseId => {
    let fake: FakeOkta;
    let backend: OktaTestBackend;

    beforeAll(async () => {
      fake = await FakeOkta.start();
      seedFakeOkta(fake);
      fake.addGroup({ id: OKTA_ADMINS_GROUP, name: 'Okta Super Admins' });
      const knex = await databases.init(databaseId);
      // Zoom Pro and Figma were seeded as tiers before the lists existed.
      backend = await startOktaTestBackend({
        knex,
        okta: {
          orgUrl: fake.url,
          apiToken: 'test-api-token',
          pollSeconds: 0.05,
          allowedGroupIds: [ZOOM_BASIC_GROUP],
          allowedAppIds: [],
        },
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    const tier = (id: string, fulfillment: Record<string, string>) => ({
      id,
      name: id,
      approval: { required: 'nobody' },
      fulfillment,
    });

    it('refuses to save a tier that grants an Okta group outside the list, naming the group', async () => {
      const res = await backend.call(ADMIN, '/admin/apps/okta-console', {
        method: 'PUT',
        body: {
          name: 'Okta console',
          category: 'IT',
          listed: true,
          tiers: [
            tier('basic', {
              type: 'okta-group',
              oktaGroupId: ZOOM_BASIC_GROUP,
            }),
            tier('admin', {
              type: 'okta-group',
              oktaGroupId: OKTA_ADMINS_GROUP,
            }),
          ],
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `tiers.1.fulfillment.oktaGroupId: Okta group ${OKTA_ADMINS_GROUP} is not in appAccess.okta.allowedGroupIds, the groups App Access may grant`,
      );
      expect(
        (await backend.call(ADMIN, '/admin/apps/okta-console')).status,
      ).toBe(404);
    });

    it('refuses an Okta app outside its list, and saves a tier inside the lists', async () => {
      const refused = await backend.call(ADMIN, '/admin/apps/figma-copy', {
        method: 'PUT',
        body: {
          name: 'Figma copy',
          category: 'Design',
          listed: true,
          tiers: [tier('editor', { type: 'okta-app', oktaAppId: FIGMA_APP })],
        },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(
        new RegExp(
          `^tiers\\.0\\.fulfillment\\.oktaAppId: Okta app ${FIGMA_APP} is not in appAccess\\.okta\\.allowedAppIds`,
        ),
      );

      const saved = await backend.call(ADMIN, '/admin/apps/zoom-copy', {
        method: 'PUT',
        body: {
          name: 'Zoom copy',
          category: 'Communication',
          listed: true,
          tiers: [
            tier('basic', {
              type: 'okta-group',
              oktaGroupId: ZOOM_BASIC_GROUP,
            }),
          ],
        },
      });
      expect(saved.status).toBe(200);
    });

    it('refuses at fulfilment a tier saved before the list, even once approved', async () => {
      const jane = fake.findUser(emailOf('jane.doe'))!;
      const submitted = await backend.call(ref('jane.doe'), '/requests', {
        method: 'POST',
        body: { appId: 'zoom', tierId: 'pro', justification: 'Webinars' },
      });
      expect(submitted.status).toBe(201);
      const decided = await backend.call(
        MANAGER,
        `/requests/${submitted.body.id}/decisions`,
        { method: 'POST', body: { decision: 'approve' } },
      );
      expect(decided.status).toBe(200);

      const failed = await waitFor('the request to fail', async () => {
        const res = await backend.call(
          ADMIN,
          `/admin/requests/${submitted.body.id}`,
        );
        return res.body.status === 'failed' ? res.body : undefined;
      });
      expect(failed.failureReason).toBe(
        `Okta group ${ZOOM_PRO_GROUP} is not in appAccess.okta.allowedGroupIds, the groups App Access may grant`,
      );
      expect(fake.isMember(ZOOM_PRO_GROUP, jane.id)).toBe(false);
    });

    it('shows the lists on the settings page', async () => {
      const settings = await backend.call(ADMIN, '/settings');
      expect(settings.status).toBe(200);
      expect(settings.body.integrations.okta.details).toMatchObject({
        allowedGroupIds: ZOOM_BASIC_GROUP,
        allowedAppIds: 'none: App Access grants no Okta app',
      });
    });
  },
);
