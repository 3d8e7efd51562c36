import { TestDatabases } from '@backstage/backend-test-utils';
import { FakeOkta } from './testing/FakeOkta';
import {
  ADMIN,
  FIGMA_APP,
  MANAGER,
  OktaTestBackend,
  ZOOM_APP,
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

type Request = {
  id: string;
  status: string;
  failureReason?: string;
  externalRef?: string;
  fulfilledBy?: string;
  events: Array<{ type: string; comment?: string }>;
};

describe.each(databases.eachSupportedId())(
  'Okta fulfillment through App Access on %p',
  databaseId => {
    let fake: FakeOkta;
    let backend: OktaTestBackend;

    beforeAll(async () => {
      // Two items per page at most, so every list takes several pages.
      fake = await FakeOkta.start({ maxPageSize: 2 });
      seedFakeOkta(fake);
      const knex = await databases.init(databaseId);
      backend = await startOktaTestBackend({
        knex,
        okta: {
          orgUrl: fake.url,
          apiToken: 'test-api-token',
          pollSeconds: 0.05,
          provisioningTimeoutMinutes: 1,
        },
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    afterEach(() => {
      fake.clearFailures();
    });

    async function submit(
      name: string,
      appId: string,
      tierId: string,
    ): Promise<Request> {
      const res = await backend.call(ref(name), '/requests', {
        method: 'POST',
        body: { appId, tierId, justification: 'For the design review' },
      });
      expect(res.status).toBe(201);
      return res.body;
    }

    async function getRequest(id: string): Promise<Request> {
      const res = await backend.call(ADMIN, `/admin/requests/${id}`);
      expect(res.status).toBe(200);
      return res.body;
    }

    function settled(
      id: string,
      statuses = ['fulfilled', 'failed', 'awaiting_it'],
    ) {
      return waitFor(`request ${id} to settle`, async () => {
        const request = await getRequest(id);
        return statuses.includes(request.status) ? request : undefined;
      });
    }

    const notes = (request: Request) =>
      request.events
        .filter(e => e.type === 'fulfillment_progress')
        .map(e => e.comment);

    it('approves end to end for an app in Okta: the person ends up in the group', async () => {
      const jane = fake.findUser(emailOf('jane.doe'))!;
      const request = await submit('jane.doe', 'zoom', 'pro');
      expect(request.status).toBe('pending_approval');
      expect(fake.isMember(ZOOM_PRO_GROUP, jane.id)).toBe(false);

      const decided = await backend.call(
        MANAGER,
        `/requests/${request.id}/decisions`,
        {
          method: 'POST',
          body: { decision: 'approve', comment: 'ok' },
        },
      );
      expect(decided.status).toBe(200);

      const done = await settled(request.id);
      expect(done.status).toBe('fulfilled');
      expect(done.fulfilledBy).toBe('okta-group');
      expect(fake.isMember(ZOOM_PRO_GROUP, jane.id)).toBe(true);
      expect(notes(done)).toContain(
        `Added ${emailOf(
          'jane.doe',
        )} to Okta group Zoom Pro (${ZOOM_PRO_GROUP})`,
      );
      // The group assigns Zoom, so the module followed the app user too.
      const fulfilled = done.events.find(e => e.type === 'fulfilled');
      expect(fulfilled?.comment).toBe(
        'Okta shows jane.doe@acme.example active in Zoom (status ACTIVE, sync DISABLED)',
      );
      expect(fake.getAppUser(ZOOM_APP, jane.id)).toMatchObject({
        scope: 'GROUP',
      });
    });

    it('assigns an app directly and shows provisioning progress on the timeline', async () => {
      const kim = fake.findUser(emailOf('kim.lee'))!;
      const request = await submit('kim.lee', 'figma', 'editor');
      const done = await settled(request.id);
      expect(done.status).toBe('fulfilled');
      expect(done.externalRef).toBe(`okta-app:${FIGMA_APP}:${kim.id}`);
      expect(notes(done)).toEqual([
        `Assigned ${emailOf(
          'kim.lee',
        )} to Figma in Okta (status STAGED, sync SYNCING)`,
        'Okta: Figma status PROVISIONED, sync SYNCHRONIZED',
      ]);
      expect(fake.getAppUser(FIGMA_APP, kim.id)).toMatchObject({
        scope: 'USER',
        status: 'PROVISIONED',
      });
    });

    it('does not assign twice when Okta did it but the answer was lost', async () => {
      const raj = fake.findUser(emailOf('raj.patel'))!;
      const before = fake.count('POST /api/v1/apps/:appId/users');
      fake.failNext(1, {
        method: 'POST',
        path: `/api/v1/apps/${FIGMA_APP}/users`,
        disconnect: true,
        afterHandling: true,
      });
      const request = await submit('raj.patel', 'figma', 'editor');
      const done = await settled(request.id);
      expect(done.status).toBe('fulfilled');
      expect(fake.count('POST /api/v1/apps/:appId/users') - before).toBe(1);
      expect(fake.getAppUser(FIGMA_APP, raj.id)).toBeDefined();
      expect(notes(done)[0]).toMatch(
        /raj.patel@acme.example is already assigned to Figma in Okta/,
      );
    });

    it('is fulfilled once Okta recovers from being down', async () => {
      const ana = fake.findUser(emailOf('ana.silva'))!;
      fake.failNext(3, { status: 503, html: true });
      const request = await submit('ana.silva', 'zoom', 'basic');
      const done = await settled(request.id);
      expect(done.status).toBe('fulfilled');
      expect(fake.isMember(ZOOM_BASIC_GROUP, ana.id)).toBe(true);
      expect(
        fake.requests.filter(
          r => r.status === 503 && r.path.includes('ana.silva'),
        ).length,
      ).toBe(3);
    });

    it('waits for X-Rate-Limit-Reset after a 429', async () => {
      const tom = fake.findUser(emailOf('tom.berg'))!;
      fake.failNext(1, { status: 429, resetInSeconds: 2, path: 'tom.berg' });
      const request = await submit('tom.berg', 'zoom', 'basic');
      const done = await settled(request.id);
      expect(done.status).toBe('fulfilled');
      expect(fake.isMember(ZOOM_BASIC_GROUP, tom.id)).toBe(true);
      const lookups = fake.requests.filter(r => r.path.includes('tom.berg'));
      expect(lookups.map(r => r.status)).toEqual([429, 200]);
      // Okta said the window reopens in 2 s (rounded up to whole seconds).
      expect(lookups[1].at - lookups[0].at).toBeGreaterThanOrEqual(1900);
    });

    it('fails readably when the person has no Okta user, and an admin retry works after the fix', async () => {
      const request = await submit('bob.other', 'zoom', 'basic');
      const failed = await settled(request.id);
      expect(failed.status).toBe('failed');
      expect(failed.failureReason).toBe(
        "No Okta user with login bob.other@acme.example — check the person's Okta login",
      );

      const bob = fake.addUser({ login: emailOf('bob.other') });
      const notAdmin = await backend.call(
        ref('kim.lee'),
        `/admin/requests/${request.id}/retry`,
        {
          method: 'POST',
        },
      );
      expect(notAdmin.status).toBe(403);
      const retried = await backend.call(
        ADMIN,
        `/admin/requests/${request.id}/retry`,
        {
          method: 'POST',
        },
      );
      expect(retried.status).toBe(200);
      const done = await settled(request.id, ['fulfilled']);
      expect(done.events.map(e => e.type)).toContain('retried');
      expect(fake.isMember(ZOOM_BASIC_GROUP, bob.id)).toBe(true);
    });

    it('fails readably when the Okta group is gone', async () => {
      const group = fake.groups.get(ZOOM_BASIC_GROUP)!;
      fake.removeGroup(ZOOM_BASIC_GROUP);
      try {
        const request = await submit('lea.roth', 'zoom', 'basic');
        const failed = await settled(request.id);
        expect(failed.status).toBe('failed');
        expect(failed.failureReason).toBe(
          `Okta group ${ZOOM_BASIC_GROUP} not found`,
        );
      } finally {
        fake.addGroup({ id: group.id, name: group.profile.name });
        fake.assignGroupToApp(ZOOM_APP, ZOOM_BASIC_GROUP);
      }
    });

    it('fails readably when the Okta app is inactive', async () => {
      fake.apps.get(FIGMA_APP)!.status = 'INACTIVE';
      try {
        const request = await submit('max.otto', 'figma', 'editor');
        const failed = await settled(request.id);
        expect(failed.status).toBe('failed');
        expect(failed.failureReason).toBe(
          `Okta app Figma (${FIGMA_APP}) is INACTIVE; activate it in Okta, then retry`,
        );
        expect(fake.getAppUser(FIGMA_APP, emailOf('max.otto'))).toBeUndefined();
      } finally {
        fake.apps.get(FIGMA_APP)!.status = 'ACTIVE';
      }
    });

    it('hands slow provisioning to the scheduled follow-up, which completes it', async () => {
      const app = fake.apps.get(FIGMA_APP)!;
      app.provisioning = { readsUntilProvisioned: 8 };
      try {
        const request = await submit('eva.kern', 'figma', 'editor');
        const waiting = await settled(request.id);
        expect(waiting.status).toBe('awaiting_it');
        expect(
          waiting.events.find(e => e.type === 'awaiting_it')?.comment,
        ).toMatch(
          /^Assigned in Okta; waiting for Figma to provision the account \(status STAGED, sync SYNCING\)/,
        );

        const task = backend.tasks.get('app-access-okta-provisioning')!;
        expect(task.scope).toBe('global');
        const done = await waitFor('the follow-up to finish', async () => {
          await task.fn(new AbortController().signal);
          const current = await getRequest(request.id);
          return current.status === 'fulfilled' ? current : undefined;
        });
        expect(done.events.find(e => e.type === 'fulfilled')?.comment).toBe(
          'Okta provisioned the account in Figma (status PROVISIONED, sync SYNCHRONIZED)',
        );
      } finally {
        app.provisioning = { readsUntilProvisioned: 2 };
      }
    });

    it('lists Okta apps and groups for admins only, across Okta pages', async () => {
      for (const label of ['Miro', 'Notion', 'Linear', 'Loom', 'Lucid']) {
        fake.addApp({
          label,
          status: label === 'Loom' ? 'INACTIVE' : 'ACTIVE',
        });
      }
      for (const name of ['Eng', 'Sales', 'Support']) fake.addGroup({ name });
      const pages = fake.count('GET /api/v1/apps');

      expect((await backend.call(ref('kim.lee'), '/okta/apps')).status).toBe(
        403,
      );
      expect((await backend.call(ref('kim.lee'), '/okta/groups')).status).toBe(
        403,
      );
      expect((await backend.call('', '/okta/apps')).status).toBe(401);
      expect(fake.count('GET /api/v1/apps')).toBe(pages);

      const apps = await backend.call(ADMIN, '/okta/apps?limit=100');
      expect(apps.status).toBe(200);
      expect(fake.count('GET /api/v1/apps') - pages).toBe(4);
      expect(apps.body.truncated).toBe(false);
      expect(apps.body.items.map((a: { label: string }) => a.label)).toEqual([
        'Zoom',
        'Figma',
        'Miro',
        'Notion',
        'Linear',
        'Loom',
        'Lucid',
      ]);
      expect(apps.body.items[5]).toMatchObject({
        label: 'Loom',
        status: 'INACTIVE',
        name: 'loom',
      });
      expect(apps.body.items[0].logoUrl).toMatch(/^https:\/\//);
      expect(apps.body.items[0].id).toBe(ZOOM_APP);

      const l = await backend.call(ADMIN, '/okta/apps?q=l&limit=2');
      expect(l.body).toMatchObject({ truncated: true });
      expect(l.body.items.map((a: { label: string }) => a.label)).toEqual([
        'Linear',
        'Loom',
      ]);

      const groups = await backend.call(ADMIN, '/okta/groups?q=s');
      expect(groups.body.items.map((g: { name: string }) => g.name)).toEqual([
        'Sales',
        'Support',
      ]);
      const all = await backend.call(ADMIN, '/okta/groups');
      expect(all.body.items).toHaveLength(5);
      expect(all.body.items).toContainEqual({
        id: ZOOM_BASIC_GROUP,
        name: 'Zoom Basic',
        type: 'OKTA_GROUP',
      });

      expect((await backend.call(ADMIN, '/okta/apps?limit=0')).status).toBe(
        400,
      );
    });

    it('tests the connection from the settings page', async () => {
      const ok = await backend.call(
        ADMIN,
        '/admin/modules/fulfiller/okta-app/test',
        {
          method: 'POST',
        },
      );
      expect(ok.body).toMatchObject({
        ok: true,
        message: `Connected to ${fake.url} with an API token`,
      });

      fake.setApiTokens(['rotated']);
      try {
        const bad = await backend.call(
          ADMIN,
          '/admin/modules/fulfiller/okta-group/test',
          {
            method: 'POST',
          },
        );
        expect(bad.body).toMatchObject({
          ok: false,
          message:
            'Okta rejected the API token (E0000011 Invalid token provided)',
        });
      } finally {
        fake.setApiTokens(['test-api-token']);
      }
    });
  },
);

describe('Okta module set-up', () => {
  it('registers nothing without appAccess.okta: Okta tiers go to IT by hand', async () => {
    const backend = await startOktaTestBackend({ okta: null });
    try {
      expect((await backend.call(ADMIN, '/okta/apps')).status).toBe(404);
      const created = await backend.call(ref('kim.lee'), '/requests', {
        method: 'POST',
        body: { appId: 'figma', tierId: 'editor' },
      });
      const request = await waitFor('the manual hand-over', async () => {
        const res = await backend.call(
          ADMIN,
          `/admin/requests/${created.body.id}`,
        );
        return res.body.status === 'awaiting_it' ? res.body : undefined;
      });
      expect(request.fulfilledBy).toBe('manual');
      expect(backend.tasks.has('app-access-okta-provisioning')).toBe(false);
    } finally {
      await backend.stop();
    }
  });

  it('refuses to start with a broken appAccess.okta, naming the key', async () => {
    await expect(
      startOktaTestBackend({ okta: { orgUrl: 'https://acme.okta.com' } }),
    ).rejects.toThrow(/Invalid config appAccess\.okta: set apiToken/);
    await expect(
      startOktaTestBackend({ okta: { orgUrl: 'not a url', apiToken: 'x' } }),
    ).rejects.toThrow(/Invalid config appAccess\.okta\.orgUrl/);
  });
});
