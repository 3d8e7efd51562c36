import { Knex } from 'knex';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessUsageApi,
  appAccessUsageExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { FakeOkta, FakeOktaOptions } from '../testing/FakeOkta';
import { OktaSync } from './OktaSync';
import { OktaSyncStore } from './OktaSyncStore';
import {
  ADMIN,
  FIGMA_APP,
  OktaTestBackend,
  ZOOM_APP,
  ZOOM_PRO_GROUP,
  emailOf,
  ref,
  startOktaTestBackend,
} from '../__testUtils__/oktaTestBackend';
import {
  DESIGN,
  ENGINEERING,
  SLACK_APP,
  actualAssignments,
  appIdsOf,
  expectedAssignments,
  person,
  refsOf,
  seedSyncOrg,
} from '../__testUtils__/syncFixtures';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TEN_MINUTES = 10 * 60_000;

type SyncRow = {
  id: string;
  status: string;
  checkpoint?: any;
  lastStartedAt?: string;
  lastFinishedAt?: string;
  lastDurationMs?: number;
  lastCounts?: Record<string, number>;
  lastError?: string;
};

async function syncState(backend: OktaTestBackend): Promise<SyncRow> {
  const res = await backend.call(ADMIN, '/admin/sync');
  expect(res.status).toBe(200);
  return res.body.items.find((i: SyncRow) => i.id === 'okta');
}

/** Copies the catalog's people into the usage store, as the core does shortly after start-up. */
async function copyCatalogPeople(backend: OktaTestBackend) {
  await backend.tasks
    .get('app-access-catalog-people')!
    .fn(new AbortController().signal);
}

async function runSync(backend: OktaTestBackend, signal?: AbortSignal) {
  await backend.tasks
    .get('app-access-okta-sync')!
    .fn(signal ?? new AbortController().signal);
  return syncState(backend);
}

/** Successful GETs as `path?query`, from request `from` of the fake's log on. */
function gets(fake: FakeOkta, from = 0) {
  return fake.requests
    .slice(from)
    .filter(r => r.method === 'GET' && r.status === 200)
    .map(r => `${r.path}${r.query}`);
}

describe.each(databases.eachSupportedId())('Okta sync on %p', databaseId => {
  describe('full and incremental runs', () => {
    let fake: FakeOkta;
    let backend: OktaTestBackend;
    let knex: Knex;

    beforeAll(async () => {
      // Three items per page at most: every list takes several pages.
      fake = await FakeOkta.start({ maxPageSize: 3 });
      seedSyncOrg(fake);
      // The org has been like this for a while.
      fake.backdate(TEN_MINUTES);
      knex = await databases.init(databaseId);
      backend = await startOktaTestBackend({
        knex,
        okta: { orgUrl: fake.url, apiToken: 'test-api-token' },
      });
      await copyCatalogPeople(backend);
    });

    afterAll(async () => {
      await backend?.stop();
      await fake?.stop();
    });

    it('schedules the sync as a global task', () => {
      const task = backend.tasks.get('app-access-okta-sync')!;
      expect(task).toMatchObject({
        scope: 'global',
        frequency: { minutes: 60 },
      });
    });

    it('reads everything page by page and writes people, teams and assignments', async () => {
      const state = await runSync(backend);
      expect(state).toMatchObject({ status: 'idle' });
      expect(state.lastError).toBeUndefined();
      expect(state.lastStartedAt).toBeTruthy();
      expect(state.lastFinishedAt).toBeTruthy();
      expect(state.lastDurationMs).toBeGreaterThanOrEqual(0);
      expect(state.checkpoint).toMatchObject({ lastMode: 'full' });
      expect(state.checkpoint.run).toBeUndefined();

      const counts = state.lastCounts!;
      expect(counts).toMatchObject({
        full: 1,
        users: fake.users.size,
        groups: fake.groups.size,
        apps: fake.apps.size,
        http429: 0,
      });
      // Several pages per list (3 per page): users, groups, members, apps, app groups and users.
      expect(counts.pagesUsers).toBe(Math.ceil(fake.users.size / 3));
      expect(fake.count('GET /api/v1/users')).toBe(counts.pagesUsers);
      expect(fake.count('GET /api/v1/groups/:groupId/users')).toBeGreaterThan(
        fake.groups.size,
      );
      expect(fake.count('GET /api/v1/apps/:appId/users')).toBeGreaterThan(
        fake.apps.size,
      );
      // The inactive app is not read.
      expect(
        gets(fake).filter(g => g.startsWith('/api/v1/apps/0oalegacy')),
      ).toEqual([]);
      expect(counts.pages).toBe(
        counts.pagesUsers + counts.pagesGroups + counts.pagesApps,
      );

      // Assignments: exactly what Okta says, direct and through groups.
      const appIds = await appIdsOf(knex);
      expect(appIds.get(ZOOM_APP)).toBe('zoom');
      expect(appIds.get(FIGMA_APP)).toBe('figma');
      const slack = appIds.get(SLACK_APP)!;
      expect(slack).toMatch(/^slack-/);
      const refs = await refsOf(knex);
      const expected = expectedAssignments(fake, refs, appIds);
      expect(await actualAssignments(knex)).toEqual(expected);
      expect(counts.assignmentsDirect + counts.assignmentsGroup).toBe(
        expected.length,
      );
      expect(expected).toEqual(
        expect.arrayContaining([
          // group-based
          `${ref('kim.lee')}|${slack}|okta-group`,
          `user:default/olga.okta|zoom|okta-group`,
          `user:default/pete.okta|zoom|okta-group`,
          // direct
          `user:default/olga.okta|figma|okta-direct`,
          `${ref('raj.patel')}|figma|okta-direct`,
          `user:default/sven.okta|${slack}|okta-direct`,
          // both
          `user:default/quinn.okta|zoom|okta-direct`,
          `user:default/quinn.okta|zoom|okta-group`,
        ]),
      );
      const all = await actualAssignments(knex);
      // Deactivated people have nothing, catalog or not; the inactive app counts for nobody.
      for (const gone of [
        'user:default/dan.gone',
        'user:default/sue.away',
        ref('ana.silva'),
      ]) {
        expect(all.filter(a => a.startsWith(`${gone}|`))).toEqual([]);
      }
      expect(all.filter(a => a.includes('legacy'))).toEqual([]);
      expect(counts.deactivated).toBe(3);

      // The app the catalog lacks is there for admins, not listed.
      const slackApp = await knex('apps').where({ id: slack }).first();
      expect(slackApp).toBeTruthy();
      expect(Boolean(slackApp.listed)).toBe(false);
    });

    it('adds people only Okta knows with their Okta teams, and leaves catalog people alone', async () => {
      expect(await person(knex, 'user:default/olga.okta')).toEqual({
        ref: 'user:default/olga.okta',
        source: 'okta',
        active: true,
        title: 'Engineer',
        department: 'R&D',
        email: 'olga.okta@acme.example',
        // Okta's built-in Everyone is no team.
        groups: [
          'group:default/okta-engineering',
          'group:default/okta-zoom-basic',
        ],
      });
      expect(await person(knex, 'user:default/dan.gone')).toMatchObject({
        source: 'okta',
        active: false,
        groups: [],
      });
      // The catalog's Jane keeps her ref, the contractor gets another one.
      const contractor = (await knex('okta_sync_users')
        .where({ login: 'jane.doe@contractor.example' })
        .first()) as { ref: string; owned: unknown };
      expect(contractor.ref).toMatch(/^user:default\/jane\.doe-[a-z0-9]{6}$/);
      expect(await person(knex, ref('jane.doe'))).toMatchObject({
        source: 'catalog',
        email: emailOf('jane.doe'),
        groups: [],
      });
      // Catalog people: assignments only; the person is still the catalog's.
      expect(await person(knex, ref('kim.lee'))).toMatchObject({
        source: 'catalog',
        active: true,
        groups: [],
      });
      expect(await person(knex, ref('ana.silva'))).toMatchObject({
        source: 'catalog',
        active: true,
      });
    });

    it('shows the synced usage as peer counts', async () => {
      // olga's team (Engineering, Zoom Basic) and role (Engineer): pete,
      // quinn and the contractor are engineers, pete and quinn have Zoom.
      const res = await backend.call(
        'user:default/olga.okta',
        '/apps/zoom/peers',
      );
      expect(res.status).toBe(200);
      expect(res.body.team).toMatchObject({
        // Zoom Basic: quinn, rita; Engineering: pete, quinn. The catalog's
        // jane.doe is in Zoom Basic too, but catalog people's teams are the
        // catalog's (the sync leaves them alone), so she is not counted here.
        count: 3,
        groups: [
          'group:default/okta-engineering',
          'group:default/okta-zoom-basic',
        ],
      });
      expect(res.body.role).toMatchObject({
        basis: 'title',
        value: 'Engineer',
        count: 2,
      });
      const figma = await backend.call(
        'user:default/rita.okta',
        '/apps/figma/peers',
      );
      // Design team: sven, tina (no Figma); Zoom Basic: olga (Figma), quinn, jane.doe.
      expect(figma.body.team.count).toBe(1);
    });

    it('an incremental run reads only what changed: one change', async () => {
      const before = fake.requests.length;
      const pete = fake.findUser('pete.okta@acme.example')!;
      fake.updateUser(pete.id, { profile: { title: 'Staff Engineer' } });

      const state = await runSync(backend);
      expect(state.status).toBe('idle');
      const counts = state.lastCounts!;
      expect(counts).toMatchObject({
        full: 0,
        users: 1,
        resolved: 1,
        people: 1,
        http429: 0,
      });
      expect(await person(knex, 'user:default/pete.okta')).toMatchObject({
        title: 'Staff Engineer',
      });
      // Two lists read: changed users and the System Log; nothing else.
      const routes = new Set(fake.requests.slice(before).map(r => r.route));
      expect([...routes].sort()).toEqual(['/api/v1/logs', '/api/v1/users']);
      expect(await actualAssignments(knex)).toEqual(
        expectedAssignments(fake, await refsOf(knex), await appIdsOf(knex)),
      );
    });

    it('an incremental run follows memberships, assignments, deactivations and new people', async () => {
      const before = fake.requests.length;
      const id = (login: string) => fake.findUser(login)!.id;
      fake.addToGroup(ZOOM_PRO_GROUP, id(emailOf('tom.berg')));
      fake.assignUserToApp(FIGMA_APP, id('tina.okta@acme.example'));
      fake.unassignUserFromApp(FIGMA_APP, id('olga.okta@acme.example'));
      fake.updateUser('rita.okta@acme.example', { status: 'DEPROVISIONED' });
      fake.removeFromGroup(ENGINEERING, id('quinn.okta@acme.example'));
      const newbie = fake.addUser({
        login: 'nora.new@acme.example',
        profile: { title: 'Designer' },
      });
      fake.addToGroup(DESIGN, newbie.id);
      fake.unassignGroupFromApp(SLACK_APP, ENGINEERING);
      const pete = fake.findUser('pete.okta@acme.example')!.id;
      fake.removeUser(pete);

      const state = await runSync(backend);
      expect(state.status).toBe('idle');
      // rita and nora changed (pete, deleted, is no longer in Okta's lists;
      // the System Log says he is gone).
      expect(state.lastCounts).toMatchObject({ full: 0, http429: 0, users: 2 });

      const all = await actualAssignments(knex);
      expect(all).toEqual(
        expectedAssignments(fake, await refsOf(knex), await appIdsOf(knex)),
      );
      const slack = (await appIdsOf(knex)).get(SLACK_APP)!;
      expect(all).toEqual(
        expect.arrayContaining([
          `${ref('tom.berg')}|zoom|okta-group`,
          'user:default/tina.okta|figma|okta-direct',
          `user:default/sven.okta|${slack}|okta-direct`,
        ]),
      );
      expect(all).not.toContain('user:default/olga.okta|figma|okta-direct');
      expect(all.filter(a => a.includes(`|${slack}|okta-group`))).toEqual([]);
      expect(all.filter(a => a.startsWith('user:default/rita.okta|'))).toEqual(
        [],
      );
      expect(await person(knex, 'user:default/rita.okta')).toMatchObject({
        active: false,
      });
      expect(await person(knex, 'user:default/nora.new')).toMatchObject({
        active: true,
        title: 'Designer',
        groups: ['group:default/okta-design'],
      });
      expect(await person(knex, 'user:default/quinn.okta')).toMatchObject({
        groups: ['group:default/okta-zoom-basic'],
      });
      // Deleted from Okta: inactive, nothing assigned, forgotten by the mirror.
      expect(all.filter(a => a.startsWith('user:default/pete.okta|'))).toEqual(
        [],
      );
      expect(await person(knex, 'user:default/pete.okta')).toMatchObject({
        active: false,
      });
      expect(
        await knex('okta_sync_users').where({ id: pete }).first(),
      ).toBeUndefined();
      // No full read: no list of all apps, groups or their members.
      const routes = fake.requests.slice(before).map(r => r.route);
      expect(routes).not.toContain('/api/v1/apps');
      expect(routes).not.toContain('/api/v1/groups');
      expect(routes).not.toContain('/api/v1/groups/:groupId/users');
    });
  });

  describe('restarts and outages', () => {
    let fake: FakeOkta;
    const backends: OktaTestBackend[] = [];

    async function start(options: FakeOktaOptions = {}) {
      fake = await FakeOkta.start({ maxPageSize: 2, ...options });
      seedSyncOrg(fake);
      fake.backdate(TEN_MINUTES);
    }

    async function backendOn(knex: Knex, extra: Record<string, any> = {}) {
      const backend = await startOktaTestBackend({
        knex,
        okta: { orgUrl: fake.url, apiToken: 'test-api-token', ...extra.okta },
        features: extra.features,
      });
      backends.push(backend);
      await copyCatalogPeople(backend);
      return backend;
    }

    afterEach(async () => {
      for (const b of backends.splice(0)) await b.stop();
      await fake?.stop();
    });

    /** The people the sync wrote, for comparing two databases. */
    async function okPeople(knex: Knex) {
      const refs = await knex('people')
        .where({ source: 'okta' })
        .orderBy('ref')
        .pluck('ref');
      return Promise.all(refs.map((r: string) => person(knex, r)));
    }

    it('continues after a restart from its checkpoint, reads nothing twice, and ends like an uninterrupted run', async () => {
      // A little latency so the run can be stopped half-way.
      await start({ latencyMs: 3 });
      const knex = await databases.init(databaseId);
      let backend = await backendOn(knex);

      // The backend shuts down while the sync reads app users.
      const controller = new AbortController();
      const timer = setInterval(() => {
        if (fake.count('GET /api/v1/apps/:appId/users') >= 3) {
          controller.abort(new Error('the backend is shutting down'));
        }
      }, 1);
      await expect(
        backend.tasks.get('app-access-okta-sync')!.fn(controller.signal),
      ).rejects.toThrow(
        /Stopped before finishing \(the backend is shutting down\)/,
      );
      clearInterval(timer);

      const stopped = await syncState(backend);
      expect(stopped.status).toBe('failed');
      expect(stopped.lastError).toMatch(
        /the next run continues from the checkpoint/,
      );
      const checkpoint = stopped.checkpoint.run;
      expect(checkpoint).toMatchObject({ mode: 'full', stage: 'read' });
      expect(checkpoint.streams.apps).toMatchObject({
        done: false,
        phase: 'users',
      });
      expect(stopped.lastCounts!.pages).toBeGreaterThan(0);
      const first = gets(fake);
      const mark = fake.requests.length;

      // Restart: a new backend on the same database.
      await backend.stop();
      backends.splice(backends.indexOf(backend), 1);
      backend = await backendOn(knex);
      const state = await runSync(backend);
      expect(state.status).toBe('idle');
      expect(state.lastError).toBeUndefined();
      expect(state.lastCounts).toMatchObject({
        resumes: 1,
        full: 1,
        http429: 0,
      });
      const second = gets(fake, mark);

      // Nothing is read twice …
      expect(second.filter(g => first.includes(g))).toEqual([]);
      // … finished parts are not read at all …
      const routes = fake.requests.slice(mark).map(r => r.route);
      expect(routes).not.toContain('/api/v1/apps');
      expect(routes).not.toContain('/api/v1/apps/:appId/groups');
      expect({
        users:
          checkpoint.streams.users.done && routes.includes('/api/v1/users'),
        groups:
          checkpoint.streams.groups.phase === 'members' &&
          routes.includes('/api/v1/groups'),
      }).toEqual({ users: false, groups: false });
      // … apps finished before the stop are not read again, and those
      // half-way continue at the page they had reached.
      const { frontier, finished, partial } = checkpoint.streams.apps;
      const appUsersReads = second.filter(g =>
        /^\/api\/v1\/apps\/[^/]+\/users/.test(g),
      );
      const appOf = (g: string) => g.split('/')[4];
      for (const g of appUsersReads) {
        expect(appOf(g) > (frontier ?? '')).toBe(true);
        expect(finished).not.toContain(appOf(g));
      }
      for (const [appId, after] of Object.entries(partial ?? {})) {
        const firstRead = appUsersReads.find(g => appOf(g) === appId);
        expect(firstRead).toContain(`after=${after}`);
      }
      expect(
        frontier || Object.keys(partial ?? {}).length || finished?.length,
      ).toBeTruthy();

      // The same as an uninterrupted run on another database.
      const otherKnex = await databases.init(databaseId);
      const other = await backendOn(otherKnex);
      const otherMark = fake.requests.length;
      const uninterrupted = await runSync(other);
      expect(await actualAssignments(knex)).toEqual(
        await actualAssignments(otherKnex),
      );
      expect(await actualAssignments(knex)).toEqual(
        expectedAssignments(fake, await refsOf(knex), await appIdsOf(knex)),
      );
      expect(await okPeople(knex)).toEqual(await okPeople(otherKnex));
      expect(first.length + second.length).toBe(gets(fake, otherMark).length);
      expect(state.lastCounts!.pages).toBe(uninterrupted.lastCounts!.pages);
      expect(state.lastCounts!.assignments).toBe(
        uninterrupted.lastCounts!.assignments,
      );
    });

    it('records a failed run when Okta stays down after some pages; the next run continues from there', async () => {
      await start();
      const knex = await databases.init(databaseId);
      // The module's own sync off: this test drives the class with short retries.
      let usage: AppAccessUsageApi | undefined;
      const capture = createBackendModule({
        pluginId: 'app-access',
        moduleId: 'usage-capture',
        register(reg) {
          reg.registerInit({
            deps: { ext: appAccessUsageExtensionPoint },
            async init({ ext }) {
              ext.addUsageSource({
                id: 'usage-capture',
                async connect(connection) {
                  usage = connection;
                },
              });
            },
          });
        },
      });
      const backend = await backendOn(knex, {
        okta: { sync: { enabled: false } },
        features: [capture],
      });
      expect(backend.tasks.has('app-access-okta-sync')).toBe(false);
      const store = await OktaSyncStore.create(knex);
      const newSync = () =>
        new OktaSync({
          okta: {
            orgUrl: fake.url,
            auth: { type: 'apiToken', token: 'test-api-token' },
            requestTimeoutMs: 5000,
          },
          usage: usage!,
          store,
          logger: mockServices.logger.mock(),
          retryDelayMs: 5,
          attempts: 3,
        });

      // Okta answers the first 4 app-user pages, then only 503s.
      fake.failNext(10_000, {
        status: 503,
        family: 'apps',
        path: /\/users$/,
        skip: 4,
      });
      await expect(newSync().run()).rejects.toThrow(
        /Okta is unavailable \(HTTP 503/,
      );
      const failed = await syncState(backend);
      expect(failed).toMatchObject({ status: 'failed' });
      expect(failed.lastError).toMatch(
        /^Okta is unavailable \(HTTP 503.*the next run continues from the checkpoint$/,
      );
      // 3 attempts per request (2 retries), for each app read in flight.
      expect(failed.lastCounts!.retries).toBeGreaterThanOrEqual(2);
      expect(failed.lastCounts!.retries % 2).toBe(0);
      expect(failed.checkpoint.run.streams.apps).toMatchObject({
        phase: 'users',
      });
      const first = gets(fake);
      const mark = fake.requests.length;

      fake.clearFailures();
      const result = await newSync().run();
      expect(result).toMatchObject({
        status: 'finished',
        mode: 'full',
        resumed: true,
      });
      expect(gets(fake, mark).filter(g => first.includes(g))).toEqual([]);
      expect(await actualAssignments(knex)).toEqual(
        expectedAssignments(fake, await refsOf(knex), await appIdsOf(knex)),
      );
      expect(await syncState(backend)).toMatchObject({ status: 'idle' });
    });

    it('waits out a 429 it did not see coming', async () => {
      await start();
      const knex = await databases.init(databaseId);
      const backend = await backendOn(knex);
      // Someone else used up the users window.
      fake.failNext(1, { status: 429, family: 'users', resetInSeconds: 1 });
      const started = Date.now();
      const state = await runSync(backend);
      expect(state).toMatchObject({ status: 'idle' });
      expect(state.lastCounts).toMatchObject({ http429: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(await actualAssignments(knex)).toEqual(
        expectedAssignments(fake, await refsOf(knex), await appIdsOf(knex)),
      );
    });

    it('stays under a low rate limit: no 429 at all, waiting until the reset the headers give', async () => {
      // 20 requests per family and 1-second window.
      await start({
        rateLimits: { users: 20, groups: 20, apps: 20, logs: 20 },
        rateLimitWindowMs: 1000,
      });
      for (let i = 0; i < 40; i++) {
        fake.addUser({ login: `filler${i}@acme.example` });
      }
      const knex = await databases.init(databaseId);
      // The reserve held to the reset (none of it spent at the window's end).
      const backend = await backendOn(knex, {
        okta: { sync: { rateLimitReserveReleaseSeconds: 0 } },
      });
      const mark = fake.requests.length;
      const started = Date.now();
      const state = await runSync(backend);
      const elapsed = Date.now() - started;
      expect(state.status).toBe('idle');

      const requests = fake.requests.slice(mark);
      expect(requests.filter(r => r.status === 429)).toEqual([]);
      expect(state.lastCounts).toMatchObject({ http429: 0 });
      expect(state.lastCounts!.throttledMs).toBeGreaterThan(0);

      let lowAnswers = 0;
      for (const family of ['users', 'groups', 'apps'] as const) {
        const list = requests.filter(r => r.family === family);
        // Each family needed several windows …
        expect(list.length).toBeGreaterThan(20);
        expect(elapsed).toBeGreaterThanOrEqual(
          (Math.ceil(list.length / 20) - 1) * 1000,
        );
        // … and after an answer that left only the reserve (10 % of 20), the
        // next request waited for that answer's X-Rate-Limit-Reset.
        const afterLow = list.filter(
          (_, i) => i > 0 && list[i - 1].rateLimit!.remaining <= 2,
        );
        const early = list.filter(
          (r, i) =>
            i > 0 &&
            list[i - 1].rateLimit!.remaining <= 2 &&
            r.at < list[i - 1].rateLimit!.reset * 1000,
        );
        lowAnswers += afterLow.length;
        expect(early).toEqual([]);
      }
      // A family may run out of pages before it spends a window (how many
      // fit in the first window depends on the machine), but not all of them.
      expect(lowAnswers).toBeGreaterThan(0);
      expect(await actualAssignments(knex)).toEqual(
        expectedAssignments(fake, await refsOf(knex), await appIdsOf(knex)),
      );
    });

    it('spends the reserve nobody used at the end of each window, still without a 429', async () => {
      // 8 requests per family and 1-second window, a reserve of 2 (25 %);
      // the whole window is the reserve's release time.
      await start({
        rateLimits: { users: 8, groups: 8, apps: 8, logs: 8 },
        rateLimitWindowMs: 1000,
      });
      for (let i = 0; i < 40; i++) {
        fake.addUser({ login: `filler${i}@acme.example` });
      }
      const knex = await databases.init(databaseId);
      const backend = await backendOn(knex, {
        okta: {
          sync: {
            rateLimitReservePercent: 25,
            rateLimitReserveReleaseSeconds: 1,
          },
        },
      });
      const mark = fake.requests.length;
      const state = await runSync(backend);
      expect(state.status).toBe('idle');
      const requests = fake.requests.slice(mark);
      expect(requests.filter(r => r.status === 429)).toEqual([]);
      expect(state.lastCounts).toMatchObject({ http429: 0 });
      // Some request went out in a window whose last answer had left only
      // the reserve (25 % of 8), before that window's reset.
      const spent = requests.filter((r, i) => {
        const before = requests
          .slice(0, i)
          .reverse()
          .find(p => p.family === r.family);
        return (
          before !== undefined &&
          before.rateLimit!.remaining <= 2 &&
          r.at < before.rateLimit!.reset * 1000
        );
      });
      expect(spent.length).toBeGreaterThan(0);
      expect(await actualAssignments(knex)).toEqual(
        expectedAssignments(fake, await refsOf(knex), await appIdsOf(knex)),
      );
    });
  });

  describe('identity', () => {
    it('never gives an Okta-only person the ref of a catalog user who is not in Okta', async () => {
      const fake = await FakeOkta.start();
      seedSyncOrg(fake);
      // bob.other is a catalog user with no Okta account; a contractor's
      // Okta login has the same local part.
      fake.addUser({
        login: 'bob.other@contractor.example',
        profile: { title: 'Contractor' },
      });
      const knex = await databases.init(databaseId);
      const backend = await startOktaTestBackend({
        knex,
        okta: { orgUrl: fake.url, apiToken: 'test-api-token' },
      });
      try {
        await copyCatalogPeople(backend);
        expect(await runSync(backend)).toMatchObject({ status: 'idle' });

        const contractor = (await knex('okta_sync_users')
          .where({ login: 'bob.other@contractor.example' })
          .first()) as { ref: string };
        expect(contractor.ref).not.toBe(ref('bob.other'));
        expect(contractor.ref).toMatch(
          /^user:default\/bob\.other-[a-z0-9]{6}$/,
        );
        // The catalog's Bob is untouched: his email, so whoever clicks in
        // Slack as the contractor is never mapped to him.
        expect(await person(knex, ref('bob.other'))).toMatchObject({
          source: 'catalog',
          email: emailOf('bob.other'),
        });
        expect(await person(knex, contractor.ref)).toMatchObject({
          source: 'okta',
          email: 'bob.other@contractor.example',
          title: 'Contractor',
        });
      } finally {
        await backend.stop();
        await fake.stop();
      }
    });
  });
});
