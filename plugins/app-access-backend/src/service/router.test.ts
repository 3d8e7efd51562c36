import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  AppAccessTestBackend,
  BOB,
  IVAN,
  JANE,
  KIM,
  RAJ,
  SAM,
  as,
  startAppAccessTestBackend,
  waitFor,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const BASE = '/api/app-access';

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'App Access HTTP API on %s',
  databaseId => {
    let backend: AppAccessTestBackend;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      backend = await startAppAccessTestBackend({ knex });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    const api = () => request(backend.server);

    /** The error message of a Backstage error response. */
    const errorOf = (res: request.Response): string =>
      res.body?.error?.message ?? '';

    async function submit(user: string, body: Record<string, unknown>) {
      return api()
        .post(`${BASE}/requests`)
        .set('Authorization', as(user))
        .send(body);
    }

    async function getRequest(user: string, id: string) {
      return api().get(`${BASE}/requests/${id}`).set('Authorization', as(user));
    }

    async function decide(
      user: string,
      id: string,
      body: Record<string, unknown>,
    ) {
      return api()
        .post(`${BASE}/requests/${id}/decisions`)
        .set('Authorization', as(user))
        .send(body);
    }

    /** Polls the request (as its requester) until it reaches `status`. */
    async function waitForStatus(user: string, id: string, status: string) {
      return waitFor(`request ${id} to be ${status}`, async () => {
        const res = await getRequest(user, id);
        return res.status === 200 && res.body.status === status
          ? res.body
          : undefined;
      });
    }

    const eventTypes = (body: { events: { type: string }[] }) =>
      body.events.map(e => e.type);

    describe('health and authentication', () => {
      it('answers GET /health without authentication', async () => {
        const res = await api()
          .get(`${BASE}/health`)
          .set('Authorization', mockCredentials.none.header());
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'ok' });
      });

      it.each([
        ['get', '/apps'],
        ['post', '/requests'],
        ['get', '/approvals'],
        ['get', '/settings'],
      ] as const)(
        'rejects an unauthenticated %s %s with 401',
        async (method, path) => {
          const res = await api()
            [method](`${BASE}${path}`)
            .set('Authorization', mockCredentials.none.header());
          expect(res.status).toBe(401);
          expect(res.body.error.name).toBe('AuthenticationError');
          expect(errorOf(res)).toMatch(/authenticat|credentials/i);
        },
      );
    });

    describe('GET /apps', () => {
      it('lists only the listed apps, with their tiers and whether each needs approval', async () => {
        const res = await api()
          .get(`${BASE}/apps`)
          .set('Authorization', as(JANE));
        expect(res.status).toBe(200);
        expect(res.body.items.map((a: { id: string }) => a.id)).toEqual([
          'figma',
          'notion',
        ]);
        expect(res.body.nextCursor).toBeUndefined();
        const notion = res.body.items.find(
          (a: { id: string }) => a.id === 'notion',
        );
        expect(notion.tiers).toEqual([
          expect.objectContaining({
            id: 'editor',
            name: 'Editor',
            needsApproval: true,
          }),
          expect.objectContaining({
            id: 'viewer',
            name: 'Viewer',
            needsApproval: false,
          }),
        ]);
        // Internal bookkeeping is not exposed.
        expect(notion).not.toHaveProperty('seedHash');
        expect(notion).not.toHaveProperty('source');
      });

      it('pages with limit and cursor', async () => {
        const first = await api()
          .get(`${BASE}/apps?limit=1`)
          .set('Authorization', as(JANE));
        expect(first.status).toBe(200);
        expect(first.body.items.map((a: { id: string }) => a.id)).toEqual([
          'figma',
        ]);
        expect(typeof first.body.nextCursor).toBe('string');

        const second = await api()
          .get(`${BASE}/apps`)
          .query({ limit: 1, cursor: first.body.nextCursor })
          .set('Authorization', as(JANE));
        expect(second.status).toBe(200);
        expect(second.body.items.map((a: { id: string }) => a.id)).toEqual([
          'notion',
        ]);
        expect(second.body.nextCursor).toBeUndefined();
      });

      it('refuses a cursor no list handed out (400) on every paged route, rather than starting over', async () => {
        for (const path of [
          '/apps',
          '/requests',
          '/approvals',
          '/admin/requests',
          '/admin/apps',
        ]) {
          for (const cursor of [
            'abc',
            '%%%',
            Buffer.from('[1,2]').toString('base64url'),
          ]) {
            const res = await api()
              .get(`${BASE}${path}`)
              .query({ cursor })
              .set(
                'Authorization',
                as(path.startsWith('/admin') ? IVAN : JANE),
              );
            expect([path, cursor, res.status]).toEqual([path, cursor, 400]);
            expect(errorOf(res)).toBe(
              'cursor: not a cursor this list returned',
            );
          }
        }
      });

      it('shows one listed app, and 404 for an unlisted or unknown one', async () => {
        const notion = await api()
          .get(`${BASE}/apps/notion`)
          .set('Authorization', as(JANE));
        expect(notion.status).toBe(200);
        expect(notion.body.id).toBe('notion');

        for (const id of ['nope', 'legacy-crm']) {
          const res = await api()
            .get(`${BASE}/apps/${id}`)
            .set('Authorization', as(JANE));
          expect(res.status).toBe(404);
          expect(errorOf(res)).toBe(`No app '${id}' in the catalog`);
        }
      });
    });

    describe('a request for a tier that needs approval', () => {
      // jane.doe asks for Notion Editor; her manager sam.manager decides.
      let created: request.Response;
      let requestId: string;

      beforeAll(async () => {
        created = await submit(JANE, {
          appId: 'notion',
          tierId: 'editor',
          justification: 'I write the team handbook',
          neededBy: '2030-01-31',
        });
        requestId = created.body.id;
      });

      it('is created pending approval at level 1 (201)', async () => {
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          appId: 'notion',
          tierId: 'editor',
          requester: JANE,
          status: 'pending_approval',
          level: 1,
          justification: 'I write the team handbook',
          neededBy: '2030-01-31',
        });
        expect(created.body.approvals).toEqual([
          expect.objectContaining({
            level: 1,
            status: 'open',
            approvers: [SAM],
            fallback: false,
          }),
        ]);
      });

      it('has submitted and approval_requested events, and the manager is notified', async () => {
        const res = await getRequest(JANE, requestId);
        expect(res.status).toBe(200);
        expect(eventTypes(res.body)).toEqual([
          'submitted',
          'approval_requested',
        ]);
        expect(res.body.events[1]).toMatchObject({
          level: 1,
          fromStatus: 'submitted',
          toStatus: 'pending_approval',
          data: { approvers: [SAM] },
        });

        await waitFor('the approval notice to sam.manager', async () =>
          backend.notificationsSend.mock.calls.find(
            ([n]: any) =>
              n.recipients?.entityRef?.includes(SAM) &&
              n.payload.topic === `app-access:${requestId}`,
          ),
        );
      });

      it('is offered to the manager in GET /approvals, not to the requester', async () => {
        const sams = await api()
          .get(`${BASE}/approvals`)
          .set('Authorization', as(SAM));
        expect(sams.status).toBe(200);
        expect(sams.body.items.map((t: any) => t.request.id)).toContain(
          requestId,
        );

        const janes = await api()
          .get(`${BASE}/approvals`)
          .set('Authorization', as(JANE));
        expect(janes.status).toBe(200);
        expect(janes.body.items.map((t: any) => t.request.id)).not.toContain(
          requestId,
        );
      });

      it('rejects a duplicate open request with 409 naming the existing request', async () => {
        const res = await submit(JANE, {
          appId: 'notion',
          tierId: 'editor',
          justification: 'again',
        });
        expect(res.status).toBe(409);
        expect(errorOf(res)).toContain(requestId);
        expect(errorOf(res)).toMatch(/already have an open request/);
      });

      it('is not disclosed to someone who is neither requester nor approver (404)', async () => {
        const res = await getRequest(BOB, requestId);
        expect(res.status).toBe(404);
        expect(errorOf(res)).toBe(`No request with id '${requestId}'`);

        // The approver may read it.
        const sams = await getRequest(SAM, requestId);
        expect(sams.status).toBe(200);
        expect(sams.body.id).toBe(requestId);
      });

      it('refuses a decision by the requester herself (403)', async () => {
        const res = await decide(JANE, requestId, { decision: 'approve' });
        expect(res.status).toBe(403);
        expect(errorOf(res)).toBe('You cannot decide your own request');
      });

      it('answers a decision by someone who is no party to the request like an unknown id (404)', async () => {
        const res = await decide(BOB, requestId, { decision: 'approve' });
        expect(res.status).toBe(404);
        expect(errorOf(res)).toBe(`No request with id '${requestId}'`);
        const cancel = await api()
          .post(`${BASE}/requests/${requestId}/cancel`)
          .set('Authorization', as(BOB));
        expect(cancel.status).toBe(404);
        expect(errorOf(cancel)).toBe(`No request with id '${requestId}'`);
        const unknown = await decide(BOB, randomUUID(), {
          decision: 'approve',
        });
        expect(unknown.status).toBe(404);
      });

      it('refuses a denial without a comment (400)', async () => {
        for (const body of [
          { decision: 'deny' },
          { decision: 'deny', comment: '   ' },
        ]) {
          const res = await decide(SAM, requestId, body);
          expect(res.status).toBe(400);
          expect(errorOf(res)).toMatch(/^comment: /);
        }
      });

      it('rejects an invalid decision body (400)', async () => {
        const res = await decide(SAM, requestId, { decision: 'maybe' });
        expect(res.status).toBe(400);
        expect(errorOf(res)).toMatch(/^decision: /);
      });

      it('lets the manager approve once (200); a second decision is a 409', async () => {
        const first = await decide(SAM, requestId, {
          decision: 'approve',
          comment: 'ok',
        });
        expect(first.status).toBe(200);
        expect(['approved', 'fulfilling', 'awaiting_it']).toContain(
          first.body.status,
        );
        expect(first.body.approvals[0]).toMatchObject({
          status: 'approved',
          decidedBy: SAM,
          comment: 'ok',
        });

        const second = await decide(SAM, requestId, {
          decision: 'deny',
          comment: 'changed my mind',
        });
        expect(second.status).toBe(409);
        expect(errorOf(second)).toMatch(
          /^Already decided: approved by user:default\/sam\.manager/,
        );

        // The manual fulfiller hands it to IT.
        const done = await waitForStatus(JANE, requestId, 'awaiting_it');
        expect(eventTypes(done)).toEqual(
          expect.arrayContaining([
            'approved',
            'fulfillment_started',
            'awaiting_it',
          ]),
        );
        expect(eventTypes(done).filter(t => t === 'approved')).toHaveLength(1);
      });
    });

    it('grants a tier with required: nobody without approval, and hands it to IT', async () => {
      const res = await submit(JANE, { appId: 'notion', tierId: 'viewer' });
      expect(res.status).toBe(201);
      expect(['approved', 'fulfilling', 'awaiting_it']).toContain(
        res.body.status,
      );
      expect(res.body.approvals).toEqual([]);

      const done = await waitForStatus(JANE, res.body.id, 'awaiting_it');
      expect(eventTypes(done)).toEqual([
        'submitted',
        'approved',
        'fulfillment_started',
        'awaiting_it',
      ]);
      expect(done.events[1].comment).toBe('No approval needed for this tier');
    });

    describe('submitting with bad input', () => {
      it('requires a justification when the tier needs approval (400)', async () => {
        for (const justification of [undefined, '', '   ']) {
          const res = await submit(BOB, {
            appId: 'notion',
            tierId: 'editor',
            justification,
          });
          expect(res.status).toBe(400);
          expect(errorOf(res)).toMatch(/^justification: /);
        }
      });

      it.each([
        [
          'appId of the wrong type',
          { appId: 42, tierId: 'editor', justification: 'x' },
          /^appId: must be text/,
        ],
        [
          'a missing tierId',
          { appId: 'notion', justification: 'x' },
          /^tierId: required/,
        ],
        [
          'an unknown extra field',
          {
            appId: 'notion',
            tierId: 'editor',
            justification: 'x',
            admin: true,
          },
          /^admin: is not a field of this request/,
        ],
        [
          'an impossible neededBy date',
          {
            appId: 'notion',
            tierId: 'editor',
            justification: 'x',
            neededBy: '2026-13-45',
          },
          /^neededBy: must be a valid date/,
        ],
        [
          'a neededBy past the end of its month',
          {
            appId: 'notion',
            tierId: 'editor',
            justification: 'x',
            neededBy: '2026-02-30',
          },
          /^neededBy: must be a valid date/,
        ],
        [
          'a neededBy that is not YYYY-MM-DD',
          {
            appId: 'notion',
            tierId: 'editor',
            justification: 'x',
            neededBy: 'tomorrow',
          },
          /^neededBy: must be a date as YYYY-MM-DD/,
        ],
        [
          'a 5000-character justification',
          {
            appId: 'notion',
            tierId: 'editor',
            justification: 'x'.repeat(5000),
          },
          /^justification: must be at most 4000 characters/,
        ],
        [
          'an array instead of an object',
          [{ appId: 'notion' }],
          /must be an object/,
        ],
      ])(
        'rejects %s with 400 naming the field',
        async (_what, body, message) => {
          const res = await submit(BOB, body as any);
          expect(res.status).toBe(400);
          expect(errorOf(res)).toMatch(message);
        },
      );

      it('rejects a body over 256 kB with 413', async () => {
        const res = await submit(BOB, {
          appId: 'notion',
          tierId: 'editor',
          justification: 'x'.repeat(300 * 1024),
        });
        expect(res.status).toBe(413);
        expect(errorOf(res)).toMatch(/too large/i);
      });

      it.each([
        ['truncated JSON', '{"appId": "notion", '],
        ['a bare JSON string', '"notion"'],
      ])('rejects %s with 400', async (_what, text) => {
        const res = await api()
          .post(`${BASE}/requests`)
          .set('Authorization', as(BOB))
          .set('Content-Type', 'application/json')
          .send(text);
        expect(res.status).toBe(400);
        expect(errorOf(res)).toMatch(/JSON|token/i);
      });

      it.each([
        ['0', /^limit: must be at least 1/],
        ['abc', /^limit: must be a whole number/],
        ['1000', /^limit: must be at most 200/],
      ])('rejects GET /apps?limit=%s with 400', async (limit, message) => {
        const res = await api()
          .get(`${BASE}/apps?limit=${limit}`)
          .set('Authorization', as(JANE));
        expect(res.status).toBe(400);
        expect(errorOf(res)).toMatch(message);
      });

      it('rejects an unknown status filter on GET /requests with 400', async () => {
        const res = await api()
          .get(`${BASE}/requests?status=pending_approval,bogus`)
          .set('Authorization', as(JANE));
        expect(res.status).toBe(400);
        expect(errorOf(res)).toMatch(
          /^status: 'bogus' is not one of submitted, /,
        );
      });

      it('nothing of the above was stored', async () => {
        const res = await api()
          .get(`${BASE}/requests`)
          .set('Authorization', as(BOB));
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([]);
      });
    });

    describe('unknown ids', () => {
      it('POST /requests for an unknown or unlisted app is a 404 naming appId', async () => {
        for (const appId of ['nope', 'legacy-crm']) {
          const res = await submit(BOB, {
            appId,
            tierId: 'user',
            justification: 'x',
          });
          expect(res.status).toBe(404);
          expect(errorOf(res)).toBe(`appId: no app '${appId}' in the catalog`);
        }
      });

      it('POST /requests for an unknown tier is a 404 naming tierId', async () => {
        const res = await submit(BOB, {
          appId: 'notion',
          tierId: 'owner',
          justification: 'x',
        });
        expect(res.status).toBe(404);
        expect(errorOf(res)).toBe("tierId: app 'notion' has no tier 'owner'");
      });

      it('GET /requests/:id of an unknown id is a 404', async () => {
        const id = randomUUID();
        const res = await getRequest(JANE, id);
        expect(res.status).toBe(404);
        expect(errorOf(res)).toBe(`No request with id '${id}'`);
      });

      it('a decision on an unknown request is a 404', async () => {
        const id = randomUUID();
        const res = await decide(SAM, id, { decision: 'approve' });
        expect(res.status).toBe(404);
        expect(errorOf(res)).toBe(`No request with id '${id}'`);
      });
    });

    it('of 20 concurrent decisions on one task exactly one wins; the others get 409', async () => {
      const created = await submit(KIM, {
        appId: 'notion',
        tierId: 'editor',
        justification: 'Design docs',
      });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('pending_approval');
      const id = created.body.id;

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          decide(SAM, id, { decision: 'approve', comment: `attempt ${i}` }),
        ),
      );
      const statuses = results.map(r => r.status);
      expect(statuses.filter(s => s >= 200 && s < 300)).toHaveLength(1);
      expect(statuses.filter(s => s === 409)).toHaveLength(19);
      for (const r of results.filter(x => x.status === 409)) {
        expect(errorOf(r)).toMatch(
          /^Already decided: approved by user:default\/sam\.manager/,
        );
      }

      const after = await getRequest(KIM, id);
      expect(after.status).toBe(200);
      expect(eventTypes(after.body).filter(t => t === 'approved')).toHaveLength(
        1,
      );
      expect(after.body.approvals).toEqual([
        expect.objectContaining({ status: 'approved', decidedBy: SAM }),
      ]);
    });

    describe('admin routes', () => {
      const adminRoutes = [
        ['get', '/settings', undefined],
        ['put', '/settings', { approvalMethod: 'portal' }],
        ['get', '/admin/apps', undefined],
        ['put', '/admin/apps/x', { name: 'X', category: 'Misc' }],
        ['get', '/admin/requests', undefined],
        ['post', '/admin/requests/x/retry', undefined],
        ['post', '/admin/requests/x/mark-fulfilled', {}],
        ['get', '/admin/audit', undefined],
        ['get', '/admin/outbox', undefined],
      ] as const;

      it.each(adminRoutes)(
        '%s %s is forbidden (403) to a non-admin',
        async (method, path, body) => {
          const req = api()
            [method](`${BASE}${path}`)
            .set('Authorization', as(JANE));
          const res = await (body ? req.send(body) : req);
          expect(res.status).toBe(403);
          expect(errorOf(res)).toMatch(
            /^You need the app-access\.[a-z.]+ permission$/,
          );
        },
      );

      it('checks the permission before looking at the body (403, not 400, for a non-admin)', async () => {
        const res = await api()
          .put(`${BASE}/admin/apps/x`)
          .set('Authorization', as(JANE))
          .send({ id: 'y' });
        expect(res.status).toBe(403);
        expect(errorOf(res)).toBe(
          'You need the app-access.app.manage permission',
        );
      });

      const notFound = "No request with id 'x'";
      it.each([
        ['get', '/settings', 200, undefined, undefined],
        ['put', '/settings', 200, undefined, { approvalMethod: 'portal' }],
        ['get', '/admin/apps', 200, undefined, undefined],
        [
          'put',
          '/admin/apps/x',
          200,
          undefined,
          { name: 'X', category: 'Misc' },
        ],
        ['get', '/admin/requests', 200, undefined, undefined],
        ['post', '/admin/requests/x/retry', 404, notFound, undefined],
        ['post', '/admin/requests/x/mark-fulfilled', 404, notFound, {}],
        ['get', '/admin/audit', 200, undefined, undefined],
        ['get', '/admin/outbox', 200, undefined, undefined],
      ] as const)(
        '%s %s answers ivan.admin with %s',
        async (method, path, status, error, body) => {
          const req = api()
            [method](`${BASE}${path}`)
            .set('Authorization', as(IVAN));
          const res = await (body ? req.send(body) : req);
          expect(res.status).toBe(status);
          expect(res.body).toEqual(expect.any(Object));
          expect(res.body.error?.message).toBe(error);
        },
      );

      it('returns settings with their sources and the installed modules', async () => {
        const res = await api()
          .get(`${BASE}/settings`)
          .set('Authorization', as(IVAN));
        expect(res.status).toBe(200);
        expect(res.body.values.fallbackApprover).toBe(
          'user:default/fiona.fallback',
        );
        expect(res.body.sources.fallbackApprover).toBe('config');
        expect(res.body.modules.fulfillers).toContain('manual');
        expect(res.body.modules.notifiers).toContain('backstage');
      });

      it('records each app change in the audit trail', async () => {
        const put = (listed: boolean) =>
          api()
            .put(`${BASE}/admin/apps/audited-app`)
            .set('Authorization', as(IVAN))
            .send({
              name: 'Audited',
              category: 'Misc',
              listed,
              tiers: [{ id: 'basic', name: 'Basic' }],
            });
        for (const listed of [false, true, true, false]) {
          const res = await put(listed);
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({
            id: 'audited-app',
            listed,
            source: 'admin',
            adminModified: true,
          });
        }
        const audit = await api()
          .get(`${BASE}/admin/audit?appId=audited-app&type=app_changed`)
          .set('Authorization', as(IVAN));
        expect(audit.status).toBe(200);
        expect(
          audit.body.items.map((e: { comment: string }) => e.comment).reverse(),
        ).toEqual([
          'Created',
          'Added to the catalog',
          'Updated',
          'Removed from the catalog',
        ]);
        expect(audit.body.items[0].actor).toBe(IVAN);
      });

      it('refuses to list an app without tiers (400)', async () => {
        const res = await api()
          .put(`${BASE}/admin/apps/empty-app`)
          .set('Authorization', as(IVAN))
          .send({ name: 'Empty', category: 'Misc', listed: true, tiers: [] });
        expect(res.status).toBe(400);
        expect(errorOf(res)).toBe(
          'tiers: an app listed in the catalog needs at least one tier',
        );

        const app = await api()
          .get(`${BASE}/admin/apps/empty-app`)
          .set('Authorization', as(IVAN));
        expect(app.status).toBe(404);
      });

      it('refuses an approval policy with an unknown level3 (400)', async () => {
        const res = await api()
          .put(`${BASE}/admin/apps/three-levels`)
          .set('Authorization', as(IVAN))
          .send({
            name: 'Three levels',
            category: 'Misc',
            listed: true,
            tiers: [
              {
                id: 'pro',
                name: 'Pro',
                approval: {
                  required: 'everyone',
                  level1: [{ type: 'manager' }],
                  level2: [{ type: 'owner' }],
                  level3: [{ type: 'user', ref: 'user:default/ivan.admin' }],
                },
              },
            ],
          });
        expect(res.status).toBe(400);
        expect(errorOf(res)).toMatch(
          /^tiers\.0\.approval\.level3: is not a field of this request/,
        );
      });

      it("refuses a body id that differs from the URL's (400)", async () => {
        const res = await api()
          .put(`${BASE}/admin/apps/one`)
          .set('Authorization', as(IVAN))
          .send({ id: 'two', name: 'Two', category: 'Misc' });
        expect(res.status).toBe(400);
        expect(errorOf(res)).toBe(
          "id: the body's id 'two' differs from the URL's 'one'",
        );
      });

      it('exports the audit trail as CSV with a header row', async () => {
        const res = await api()
          .get(`${BASE}/admin/audit?format=csv`)
          .set('Authorization', as(IVAN));
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        expect(res.headers['content-disposition']).toMatch(/attachment/);
        const lines = res.text.trimEnd().split('\r\n');
        expect(lines[0]).toBe(
          '"id","at","actor","type","requestId","appId","fromStatus","toStatus","level","comment","data"',
        );
        expect(lines.length).toBeGreaterThan(1);
      });

      it('filters the audit trail by time, whatever the offset of since/until', async () => {
        // A request that reached awaiting_it earlier gets no more events, so the
        // counts below do not race the outbox worker.
        const janes = await api()
          .get(`${BASE}/requests?status=awaiting_it`)
          .set('Authorization', as(JANE));
        const settled = janes.body.items.find(
          (r: { tierId: string }) => r.tierId === 'editor',
        );
        expect(settled).toBeDefined();
        const audit = (query: Record<string, string | number>) =>
          api()
            .get(`${BASE}/admin/audit`)
            .query({ requestId: settled.id, limit: 5000, ...query })
            .set('Authorization', as(IVAN));

        const all = await audit({});
        expect(all.status).toBe(200);
        const times: string[] = all.body.items
          .map((e: { at: string }) => e.at)
          .sort();
        expect(times.length).toBeGreaterThanOrEqual(5);
        const pivot = new Date(times[times.length - 1]);
        const expected = times.filter(t => t >= pivot.toISOString()).length;
        const plus5 = new Date(pivot.getTime() + 5 * 3600_000)
          .toISOString()
          .replace('Z', '+05:00');

        // The same instant in UTC and at +05:00 selects the same events.
        for (const since of [pivot.toISOString(), plus5]) {
          const res = await audit({ since });
          expect(res.status).toBe(200);
          expect(res.body.items).toHaveLength(expected);
        }
        const before = await audit({ until: plus5 });
        expect(before.status).toBe(200);
        expect(before.body.items).toHaveLength(times.length - expected);

        // A time without milliseconds means .000, not "after every event of that second".
        const second = new Date(Math.floor(pivot.getTime() / 1000) * 1000);
        const noMillis = await audit({
          since: second.toISOString().replace('.000Z', 'Z'),
        });
        expect(noMillis.status).toBe(200);
        expect(noMillis.body.items).toHaveLength(
          times.filter(t => t >= second.toISOString()).length,
        );

        const bad = await audit({ since: 'yesterday' });
        expect(bad.status).toBe(400);
        expect(errorOf(bad)).toBe('since: must be a valid date-time');
      });

      it('pages the audit trail, and refuses a cursor it did not hand out (400)', async () => {
        const first = await api()
          .get(`${BASE}/admin/audit?limit=2`)
          .set('Authorization', as(IVAN));
        expect(first.status).toBe(200);
        expect(first.body.items).toHaveLength(2);
        const second = await api()
          .get(`${BASE}/admin/audit`)
          .query({ limit: 2, cursor: first.body.nextCursor })
          .set('Authorization', as(IVAN));
        expect(second.status).toBe(200);
        expect(Number(second.body.items[0].id)).toBeLessThan(
          Number(first.body.items[1].id),
        );

        for (const cursor of [
          Buffer.from(
            JSON.stringify(['2026-01-01T00:00:00.000Z', 'abc']),
          ).toString('base64url'),
          'not-a-cursor',
        ]) {
          const res = await api()
            .get(`${BASE}/admin/audit`)
            .query({ cursor })
            .set('Authorization', as(IVAN));
          expect(res.status).toBe(400);
          expect(errorOf(res)).toBe('cursor: not a cursor this list returned');
        }
      });

      it('rejects an unknown audit format (400)', async () => {
        const res = await api()
          .get(`${BASE}/admin/audit?format=xml`)
          .set('Authorization', as(IVAN));
        expect(res.status).toBe(400);
        expect(errorOf(res)).toMatch(/^format: /);
      });

      it('marks a request awaiting IT fulfilled, recording the note', async () => {
        const created = await submit(RAJ, {
          appId: 'notion',
          tierId: 'viewer',
        });
        expect(created.status).toBe(201);
        const id = created.body.id;
        await waitForStatus(RAJ, id, 'awaiting_it');

        const res = await api()
          .post(`${BASE}/admin/requests/${id}/mark-fulfilled`)
          .set('Authorization', as(IVAN))
          .send({ note: 'Seat assigned in the Notion admin console' });
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('fulfilled');
        const event = res.body.events.find(
          (e: any) => e.type === 'marked_fulfilled',
        );
        expect(event).toMatchObject({
          actor: IVAN,
          fromStatus: 'awaiting_it',
          toStatus: 'fulfilled',
          comment: 'Seat assigned in the Notion admin console',
        });

        const again = await api()
          .post(`${BASE}/admin/requests/${id}/mark-fulfilled`)
          .set('Authorization', as(IVAN))
          .send({});
        expect(again.status).toBe(409);
        expect(errorOf(again)).toMatch(/this one is fulfilled$/);

        // Granted: asking for the same tier again is refused, naming it.
        const resubmit = await submit(RAJ, {
          appId: 'notion',
          tierId: 'viewer',
        });
        expect(resubmit.status).toBe(409);
        expect(errorOf(resubmit)).toMatch(
          /^You already have Notion Viewer \(request /,
        );
      });

      it("lets an admin read anyone's request", async () => {
        const mine = await api()
          .get(`${BASE}/requests`)
          .set('Authorization', as(JANE));
        expect(mine.status).toBe(200);
        expect(mine.body.items.length).toBeGreaterThan(0);
        const id = mine.body.items[0].id;
        const res = await getRequest(IVAN, id);
        expect(res.status).toBe(200);
        expect(res.body.requester).toBe(JANE);
      });
    });
  },
);
