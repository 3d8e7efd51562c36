/**
 * @jest-environment node
 */
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { AppAccessClient } from '../../../api/AppAccessClient';

// The admin half of AppAccessClient (the employee half is tested next to it).
const baseUrl = 'http://localhost:7007/api/app-access';
const server = setupServer();

describe('AppAccessClient admin calls', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const fetched: string[] = [];
  const client = new AppAccessClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: {
      fetch: (input, init) => {
        fetched.push(String(input));
        return fetch(input, {
          ...init,
          headers: { ...(init?.headers as object), authorization: 'Bearer t' },
        });
      },
    },
  });

  it('puts settings changes, null included', async () => {
    let body: unknown;
    server.use(
      http.put(`${baseUrl}/settings`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ values: {}, sources: {} });
      }),
    );
    await client.updateSettings({
      fallbackApprover: null,
      reminders: { intervalHours: 12, maxCount: 2 },
    });
    expect(body).toEqual({
      fallbackApprover: null,
      reminders: { intervalHours: 12, maxCount: 2 },
    });
  });

  it('builds admin paths and queries', async () => {
    const seen: string[] = [];
    server.use(
      http.post(`${baseUrl}/admin/modules/:kind/:id/test`, ({ params }) => {
        seen.push(`test ${params.kind} ${params.id}`);
        return HttpResponse.json({ ok: true, message: 'fine' });
      }),
      http.get(`${baseUrl}/admin/apps`, ({ request }) => {
        seen.push(`apps ${new URL(request.url).search}`);
        return HttpResponse.json({ items: [] });
      }),
      http.put(`${baseUrl}/admin/apps/:id`, ({ params }) => {
        seen.push(`put ${params.id}`);
        return HttpResponse.json({ id: params.id });
      }),
      http.get(`${baseUrl}/admin/requests`, ({ request }) => {
        seen.push(`requests ${new URL(request.url).search}`);
        return HttpResponse.json({ items: [] });
      }),
      http.post(
        `${baseUrl}/admin/requests/:id/mark-fulfilled`,
        async ({ request, params }) => {
          seen.push(
            `mark ${params.id} ${JSON.stringify(await request.json())}`,
          );
          return HttpResponse.json({ id: params.id });
        },
      ),
      http.get(`${baseUrl}/okta/groups`, ({ request }) => {
        seen.push(`okta ${new URL(request.url).search}`);
        return HttpResponse.json({ items: [] });
      }),
    );

    await expect(client.testModule('fulfiller', 'okta-group')).resolves.toEqual(
      {
        ok: true,
        message: 'fine',
      },
    );
    await client.listAdminApps({ listed: false, q: 'lo' });
    await client.saveApp({
      id: 'loom',
      name: 'Loom',
      category: 'Video',
      listed: false,
      externalIds: {},
      tiers: [],
    });
    await client.listAdminRequests({
      status: ['awaiting_it', 'failed'],
      olderThanDays: 3,
    });
    await client.markFulfilled('r 1', { note: 'done' });
    await client.listOktaGroups('eng');

    expect(seen).toEqual([
      'test fulfiller okta-group',
      'apps ?listed=false&q=lo',
      'put loom',
      'requests ?status=awaiting_it%2Cfailed&olderThanDays=3',
      'mark r 1 {"note":"done"}',
      'okta ?q=eng',
    ]);
  });

  it('downloads the audit trail as CSV through the fetch API', async () => {
    let auth: string | null = null;
    server.use(
      http.get(`${baseUrl}/admin/audit`, ({ request }) => {
        const url = new URL(request.url);
        auth = request.headers.get('authorization');
        expect(url.searchParams.get('format')).toBe('csv');
        expect(url.searchParams.get('type')).toBe('denied');
        return new HttpResponse('id,at,type\n1,2030,denied\n', {
          headers: { 'Content-Type': 'text/csv' },
        });
      }),
    );
    const blob = await client.downloadAuditCsv({ type: 'denied', limit: 5000 });
    expect(await blob.text()).toBe('id,at,type\n1,2030,denied\n');
    expect(auth).toBe('Bearer t');
    expect(fetched.at(-1)).toBe(
      `${baseUrl}/admin/audit?type=denied&limit=5000&format=csv`,
    );
  });

  it('surfaces 404 from the Okta routes as a ResponseError', async () => {
    server.use(
      http.get(`${baseUrl}/okta/apps`, () =>
        HttpResponse.json(
          { error: { name: 'NotFoundError', message: 'Not found' } },
          { status: 404 },
        ),
      ),
    );
    await expect(client.listOktaApps()).rejects.toMatchObject({
      response: { status: 404 },
    });
  });

  it('reads the directory sync status', async () => {
    const answer = {
      items: [{ id: 'okta', status: 'running', lastCounts: { users: 3 } }],
      people: 3,
    };
    server.use(
      http.get(`${baseUrl}/admin/sync`, () => HttpResponse.json(answer)),
    );
    await expect(client.getSyncStatus()).resolves.toEqual(answer);
    expect(fetched.at(-1)).toBe(`${baseUrl}/admin/sync`);
  });
});
