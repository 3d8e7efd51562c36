import path from 'node:path';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import zendeskModule from '@app-access/plugin-app-access-backend-module-zendesk';
import {
  CoreTestBackend,
  JANE,
  SAM,
  startCoreTestBackend,
  TICKETING_SEED_YAML,
  ticketingEntities,
  waitFor,
} from '@app-access/plugin-app-access-backend/testUtils';
import { createSandboxPlugin } from './plugin';
import { runningSandbox, startSandbox } from './rootConfig';
import { VendorSandbox } from './VendorSandbox';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const examples = path.resolve(__dirname, '../../../../examples');

/**
 * The sandbox with `appAccess.sandbox.ticketing: zendesk`, end to end: the
 * example portal's config starts it, its config overlay points the real
 * Zendesk module at it, an approved ticket app files a ticket in the
 * sandbox's Zendesk, and IT resolving it on the Sandbox page (its route)
 * makes the request fulfilled through the module's follower.
 */
describe.each(databases.eachSupportedId())(
  'vendor sandbox in Zendesk mode on %p',
  databaseId => {
    let sandbox: VendorSandbox;
    let backend: CoreTestBackend;

    beforeAll(async () => {
      sandbox = await startSandbox(
        new ConfigReader({
          catalog: {
            locations: [
              { type: 'file', target: path.join(examples, 'org.yaml') },
            ],
          },
          appAccess: {
            sandbox: { enabled: true, ticketing: 'zendesk' },
            catalog: { seedFiles: [path.join(examples, 'apps.yaml')] },
          },
        }),
      );
      const overlay = sandbox.configOverlay().appAccess;
      backend = await startCoreTestBackend({
        knex: await databases.init(databaseId),
        // The plugin as the example backend adds it: it finds the running sandbox.
        features: [zendeskModule, createSandboxPlugin()],
        seedYaml: TICKETING_SEED_YAML,
        entities: ticketingEntities,
        scheduler: 'manual',
        config: {
          app: { baseUrl: 'http://portal.example.com' },
          appAccess: {
            // What the sandbox's config overlay sets for the help desk.
            ticketing: overlay.ticketing,
            zendesk: overlay.zendesk,
            outbox: {
              pollIntervalMs: 50,
              baseDelaySeconds: 0.05,
              maxDelaySeconds: 2,
            },
          },
        },
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await sandbox?.stop();
    });

    /** The sandbox page's API, as an admin (the test backend allows all). */
    async function sandboxApi(method: string, route: string) {
      const res = await fetch(
        `${backend.baseUrl.replace(
          /\/app-access$/,
          '/app-access-sandbox',
        )}${route}`,
        {
          method,
          headers: { Authorization: mockCredentials.user.header(SAM) },
        },
      );
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }

    async function statusOf(id: string) {
      return (await backend.api('GET', `/requests/${id}`, JANE)).body;
    }

    it('is started in Zendesk mode by appAccess.sandbox.ticketing and points App Access at its Zendesk', () => {
      expect(runningSandbox()).toBe(sandbox);
      expect(sandbox.ticketing).toBe('zendesk');
      const overlay = sandbox.configOverlay().appAccess;
      expect(overlay.ticketing).toEqual({ system: 'zendesk' });
      expect(overlay.zendesk.endpointUri).toBe(`${sandbox.zendesk.url}/api/v2`);
    });

    it('files a Zendesk ticket in the sandbox for an approved ticket app; resolving it there fulfils the request', async () => {
      const before = sandbox.zendesk.tickets.length;
      const submitted = await backend.api('POST', '/requests', JANE, {
        appId: 'salesforce',
        tierId: 'read-only',
        justification: 'Quarterly pipeline review',
      });
      expect(submitted.status).toBe(201);
      const id = submitted.body.id as string;
      const decided = await backend.api(
        'POST',
        `/requests/${id}/decisions`,
        SAM,
        { decision: 'approve', comment: 'fine for Q1' },
      );
      expect(decided.status).toBe(200);

      const waiting = await waitFor(
        `request ${id} to wait for IT`,
        async () => {
          const r = await statusOf(id);
          if (['failed', 'fulfilled', 'denied'].includes(r.status)) {
            throw new Error(`request is ${r.status}: ${r.failureReason}`);
          }
          return r.status === 'awaiting_it' ? r : undefined;
        },
        { timeoutMs: 15_000, rethrow: true },
      );
      expect(waiting.fulfilledBy).toBe('zendesk');
      expect(sandbox.zendesk.tickets).toHaveLength(before + 1);

      // The Sandbox page lists the ticket, open, for Jane's request.
      const state = await sandboxApi('GET', '/state');
      expect(state.status).toBe(200);
      expect(state.body.ticketing).toBe('zendesk');
      const ticket = state.body.tickets.find(
        (t: any) => t.system === 'zendesk' && t.id === waiting.externalRef,
      );
      expect(ticket).toMatchObject({
        done: false,
        requester: 'jane.doe@example.com',
      });
      expect(ticket.title).toContain('Salesforce Read Only');
      expect(waiting.externalUrl).toBe(
        `${sandbox.zendesk.url}/agent/tickets/${waiting.externalRef}`,
      );

      // Following an open ticket changes nothing.
      await backend.runTask('app-access-zendesk-follow');
      expect((await statusOf(id)).status).toBe('awaiting_it');

      // IT resolves it on the Sandbox page; the follower sees it solved.
      const resolved = await sandboxApi(
        'POST',
        `/tickets/zendesk/${waiting.externalRef}/resolve`,
      );
      expect(resolved.status).toBe(204);
      expect(sandbox.zendesk.ticket(waiting.externalRef)?.status).toBe(
        'solved',
      );
      await backend.runTask('app-access-zendesk-follow');
      const done = await waitFor(
        `request ${id} to be fulfilled`,
        async () => {
          const r = await statusOf(id);
          return r.status === 'fulfilled' ? r : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(done).toMatchObject({
        status: 'fulfilled',
        fulfilledBy: 'zendesk',
        externalRef: waiting.externalRef,
      });
      const after = await sandboxApi('GET', '/state');
      expect(
        after.body.tickets.find(
          (t: any) => t.system === 'zendesk' && t.id === waiting.externalRef,
        ),
      ).toMatchObject({ done: true, status: 'solved' });
    });
  },
);
