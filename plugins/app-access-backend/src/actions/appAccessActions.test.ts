import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  actionsRegistryServiceMock,
  MockActionsRegistry,
} from '@backstage/backend-test-utils/alpha';
import {
  AppAccessTestBackend,
  as,
  BOB,
  IVAN,
  JANE,
  KIM,
  RAJ,
  SAM,
  startAppAccessTestBackend,
  waitFor,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'App Access actions through the actions registry on %p',
  databaseId => {
    let backend: AppAccessTestBackend;
    let registry: MockActionsRegistry;

    beforeAll(async () => {
      registry = actionsRegistryServiceMock();
      backend = await startAppAccessTestBackend({
        knex: await databases.init(databaseId),
        config: { app: { baseUrl: 'https://portal.example.com' } },
        features: [
          createServiceFactory({
            service: actionsRegistryServiceRef,
            deps: {},
            factory: () => registry,
          }),
        ],
      });
    });

    afterAll(() => backend?.stop());

    const invoke = async (who: string | undefined, name: string, input: any) =>
      (
        (await registry.invoke({
          id: `test:${name}`,
          input,
          credentials: who
            ? mockCredentials.user(who)
            : mockCredentials.service('plugin:catalog'),
        })) as { output: any }
      ).output;

    it('registers each action with read-only and destructive marked', async () => {
      const { actions } = await registry.list();
      const attributes = Object.fromEntries(
        actions.map(a => [a.name, a.attributes]),
      );
      expect(Object.keys(attributes).sort()).toEqual([
        'decide-access-request',
        'find-apps',
        'get-app',
        'list-my-access',
        'list-my-access-requests',
        'list-pending-access-approvals',
        'request-access',
      ]);
      for (const name of [
        'find-apps',
        'get-app',
        'list-my-access',
        'list-my-access-requests',
        'list-pending-access-approvals',
      ]) {
        expect(attributes[name]).toEqual({
          readOnly: true,
          destructive: false,
          idempotent: true,
        });
      }
      expect(attributes['request-access']).toMatchObject({
        readOnly: false,
        destructive: false,
      });
      expect(attributes['decide-access-request']).toMatchObject({
        readOnly: false,
        destructive: true,
      });
    });

    it('finds listed apps only, with tiers and a link to the app page', async () => {
      const all = await invoke(JANE, 'find-apps', {});
      expect(all.apps.map((a: any) => a.id)).toEqual(['figma', 'notion']);
      const notion = await invoke(JANE, 'find-apps', { query: 'notion' });
      expect(notion.apps).toEqual([
        expect.objectContaining({
          id: 'notion',
          vendor: 'Notion Labs',
          url: 'https://portal.example.com/apps/notion',
          tiers: [
            expect.objectContaining({ id: 'editor', needsApproval: true }),
            expect.objectContaining({ id: 'viewer', needsApproval: false }),
          ],
        }),
      ]);
      expect(
        (await invoke(JANE, 'find-apps', { query: 'Legacy' })).apps,
      ).toEqual([]);
    });

    it("shows an app's tiers and who approves each for the caller", async () => {
      const out = await invoke(JANE, 'get-app', { appId: 'notion' });
      expect(out.app.name).toBe('Notion');
      const editor = out.approvals.find((a: any) => a.tierId === 'editor');
      expect(editor.needsApproval).toBe(true);
      expect(editor.levels[0].approvers).toEqual([
        expect.objectContaining({ ref: SAM }),
      ]);
      expect(
        out.approvals.find((a: any) => a.tierId === 'viewer').needsApproval,
      ).toBe(false);
      await expect(
        invoke(JANE, 'get-app', { appId: 'legacy-crm' }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('requests a tier, lets the manager approve it, and never the requester', async () => {
      const { request } = await invoke(KIM, 'request-access', {
        appId: 'notion',
        tierId: 'editor',
        justification: 'Writing the onboarding guide',
      });
      expect(request).toMatchObject({
        appId: 'notion',
        tierId: 'editor',
        requester: KIM,
        status: 'pending_approval',
        url: `https://portal.example.com/apps/requests/${request.id}`,
      });

      const mine = await invoke(KIM, 'list-my-access-requests', {
        statuses: ['pending_approval'],
      });
      expect(mine.requests.map((r: any) => r.id)).toContain(request.id);

      // The requester is no approver of their own request.
      expect(
        (await invoke(KIM, 'list-pending-access-approvals', {})).approvals,
      ).toEqual([]);
      await expect(
        invoke(KIM, 'decide-access-request', {
          requestId: request.id,
          decision: 'approve',
        }),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      // Someone with no part in it learns nothing about it.
      await expect(
        invoke(BOB, 'decide-access-request', {
          requestId: request.id,
          decision: 'approve',
        }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });

      const waiting = await invoke(SAM, 'list-pending-access-approvals', {});
      expect(waiting.approvals).toEqual([
        expect.objectContaining({
          level: 1,
          request: expect.objectContaining({ id: request.id }),
        }),
      ]);
      const decided = await invoke(SAM, 'decide-access-request', {
        requestId: request.id,
        decision: 'approve',
      });
      expect(decided.request.status).not.toBe('pending_approval');
    });

    it("lists the caller's access: fulfilled requests only", async () => {
      const before = await invoke(JANE, 'list-my-access', {});
      expect(before.access).toEqual([]);
      // Figma needs no approval; the manual fulfiller waits for IT.
      const { request } = await invoke(JANE, 'request-access', {
        appId: 'figma',
        tierId: 'viewer',
      });
      const waiting = await invoke(JANE, 'list-my-access', {});
      expect(waiting.access.map((r: any) => r.id)).not.toContain(request.id);
      const open = await invoke(JANE, 'list-my-access-requests', {});
      expect(open.requests.map((r: any) => r.id)).toContain(request.id);

      // The outbox hands it to the manual fulfiller: then it waits for IT.
      await waitFor('the request to wait for IT', async () => {
        const { requests } = await invoke(JANE, 'list-my-access-requests', {
          statuses: ['awaiting_it'],
        });
        return requests.some((r: any) => r.id === request.id);
      });
      const marked = await fetch(
        `http://localhost:${backend.server.port()}/api/app-access/admin/requests/${
          request.id
        }/mark-fulfilled`,
        { method: 'POST', headers: { Authorization: as(IVAN) } },
      );
      expect(marked.status).toBe(200);
      const after = await invoke(JANE, 'list-my-access', {});
      expect(after.access).toEqual([
        expect.objectContaining({
          id: request.id,
          appId: 'figma',
          status: 'fulfilled',
        }),
      ]);
    });

    it('validates inputs with the HTTP API limits, naming the field', async () => {
      await expect(
        invoke(JANE, 'request-access', {
          appId: 'notion',
          tierId: 'editor',
          justification: 'x'.repeat(4001),
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        cause: expect.objectContaining({
          issues: [expect.objectContaining({ path: ['justification'] })],
        }),
      });
      await expect(
        invoke(JANE, 'find-apps', { query: 'fig\u0000ma' }),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        invoke(JANE, 'get-app', { appId: '' }),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        invoke(JANE, 'decide-access-request', {
          requestId: 'x',
          decision: 'maybe',
        }),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        invoke(JANE, 'request-access', {
          appId: 'notion',
          tierId: 'editor',
          justification: 'Short job',
          durationDays: 0,
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        cause: expect.objectContaining({
          issues: [expect.objectContaining({ path: ['durationDays'] })],
        }),
      });
      await expect(
        invoke(JANE, 'request-access', {
          appId: 'notion',
          tierId: 'editor',
          justification: 'For someone',
          onBehalfOf: 'kim.lee',
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        cause: expect.objectContaining({
          issues: [expect.objectContaining({ path: ['onBehalfOf'] })],
        }),
      });
      // A justification may span lines, as in the portal's form.
      const { request } = await invoke(JANE, 'request-access', {
        appId: 'notion',
        tierId: 'editor',
        justification: 'Line one\nLine two',
        durationDays: 14,
      });
      expect(request.justification).toBe('Line one\nLine two');
      // The duration goes through to the request, as on POST /requests.
      expect(request.durationDays).toBe(14);
      // The workflow's own rule: approval needs a justification.
      await expect(
        invoke(RAJ, 'request-access', { appId: 'notion', tierId: 'editor' }),
      ).rejects.toMatchObject({ name: 'InputError' });
    });

    it('refuses callers that are not users', async () => {
      await expect(invoke(undefined, 'find-apps', {})).rejects.toMatchObject({
        name: 'NotAllowedError',
      });
    });
  },
);
