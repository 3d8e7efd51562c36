/**
 * @jest-environment node
 */
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { ResponseError } from '@backstage/errors';
import { AppAccessClient } from './AppAccessClient';

const baseUrl = 'http://localhost:7007/api/app-access';

const server = setupServer();

describe('AppAccessClient', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const client = new AppAccessClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });

  it('surfaces the server message and status of a failed call', async () => {
    server.use(
      http.post(`${baseUrl}/requests`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message: 'justification: required when the tier needs approval',
            },
            request: { method: 'POST', url: '/requests' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );

    const error = await client
      .createRequest({ appId: 'figma', tierId: 'editor' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).toBeInstanceOf(ResponseError);
    const responseError = error as ResponseError;
    expect(responseError.body.error.message).toBe(
      'justification: required when the tier needs approval',
    );
    expect(responseError.body.error.name).toBe('InputError');
    expect(responseError.response.status).toBe(400);
  });

  it('sends JSON bodies and reads JSON answers', async () => {
    let received: unknown;
    server.use(
      http.post(
        `${baseUrl}/requests/:id/decisions`,
        async ({ request, params }) => {
          received = { id: params.id, body: await request.json() };
          return HttpResponse.json({ id: params.id, status: 'denied' });
        },
      ),
    );

    const result = await client.decide('req 1', {
      decision: 'deny',
      comment: 'Use the free tier',
    });

    expect(received).toEqual({
      id: 'req 1',
      body: { decision: 'deny', comment: 'Use the free tier' },
    });
    expect(result).toEqual({ id: 'req 1', status: 'denied' });
  });

  it('asks who approves a tier', async () => {
    server.use(
      http.get(`${baseUrl}/apps/figma/tiers/editor/approvers`, () =>
        HttpResponse.json({
          needsApproval: true,
          levels: [
            {
              level: 1,
              approvers: [{ ref: 'user:default/sam.manager' }],
              fallback: false,
            },
          ],
        }),
      ),
    );

    await expect(client.getApproverPreview('figma', 'editor')).resolves.toEqual(
      {
        needsApproval: true,
        levels: [
          {
            level: 1,
            approvers: [{ ref: 'user:default/sam.manager' }],
            fallback: false,
          },
        ],
      },
    );
  });

  it('passes paging and filters as query parameters', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${baseUrl}/apps`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ items: [], nextCursor: undefined });
      }),
    );

    await client.listApps({
      q: 'fig',
      limit: 200,
      cursor: 'abc',
      category: '',
    });

    expect(url?.searchParams.get('q')).toBe('fig');
    expect(url?.searchParams.get('limit')).toBe('200');
    expect(url?.searchParams.get('cursor')).toBe('abc');
    expect(url?.searchParams.has('category')).toBe(false);
  });
  it('reads who uses an app and the recommendations', async () => {
    let recommendationsUrl: URL | undefined;
    server.use(
      http.get(`${baseUrl}/apps/:id/peers`, ({ params }) =>
        HttpResponse.json({
          appId: params.id,
          team: { count: 3, size: 4, groups: ['group:default/platform'] },
          role: { count: 0, size: 0, basis: 'title' },
          namesHidden: true,
        }),
      ),
      http.get(`${baseUrl}/recommendations`, ({ request }) => {
        recommendationsUrl = new URL(request.url);
        return HttpResponse.json({ items: [] });
      }),
    );

    await expect(client.getAppPeers('jira cloud')).resolves.toMatchObject({
      appId: 'jira cloud',
      team: { count: 3, size: 4 },
      namesHidden: true,
    });
    await expect(client.listRecommendations({ limit: 8 })).resolves.toEqual({
      items: [],
    });
    expect(recommendationsUrl?.searchParams.get('limit')).toBe('8');
  });

  it('lists removals for oversight and marks one removed with a note', async () => {
    let body: unknown;
    server.use(
      http.get(`${baseUrl}/admin/removals`, () =>
        HttpResponse.json({ items: [{ id: 'g 1', status: 'removal_failed' }] }),
      ),
      http.post(
        `${baseUrl}/admin/grants/:id/mark-removed`,
        async ({ request, params }) => {
          body = await request.json();
          return HttpResponse.json({ id: params.id, status: 'removed' });
        },
      ),
    );
    const page = await client.listRemovals();
    expect(page.items[0].id).toBe('g 1');
    const removed = await client.markGrantRemoved('g 1', {
      note: 'Removed in Okta by hand',
    });
    expect(removed).toEqual({ id: 'g 1', status: 'removed' });
    expect(body).toEqual({ note: 'Removed in Okta by hand' });
  });

  it('calls the campaign routes with their queries and bodies', async () => {
    const seen: string[] = [];
    const bodies: unknown[] = [];
    const record = async ({ request }: { request: Request }) => {
      const url = new URL(request.url);
      seen.push(`${request.method} ${url.pathname}${url.search}`);
      if (request.method === 'POST') bodies.push(await request.json());
      return HttpResponse.json({ id: 'c 1' });
    };
    server.use(
      http.get(`${baseUrl}/admin/campaigns/preview`, record),
      http.get(`${baseUrl}/admin/campaigns`, record),
      http.post(`${baseUrl}/admin/campaigns`, record),
      http.get(`${baseUrl}/admin/campaigns/:id`, record),
      http.get(`${baseUrl}/admin/campaigns/:id/questions`, record),
      http.post(`${baseUrl}/admin/campaigns/:id/end`, record),
      http.post(`${baseUrl}/admin/campaigns/:id/cancel`, record),
      http.post(`${baseUrl}/reclaim-questions/:id/answer`, record),
    );

    await client.previewCampaign({ appId: 'zoom', inactiveDays: 60, limit: 5 });
    await client.listCampaigns();
    await client.startCampaign({
      appId: 'zoom',
      tierId: 'basic',
      inactiveDays: 60,
      answerDays: 14,
      grantIds: ['g1'],
    });
    await client.getCampaign('c 1');
    await client.listCampaignQuestions('c 1', { status: 'kept', offset: 25 });
    await client.endCampaign('c 1');
    await client.cancelCampaign('c 1');
    await client.answerReclaimQuestion('q/1', {
      answer: 'keep',
      reason: 'Daily calls',
    });

    expect(seen).toEqual([
      'GET /api/app-access/admin/campaigns/preview?appId=zoom&inactiveDays=60&limit=5',
      'GET /api/app-access/admin/campaigns',
      'POST /api/app-access/admin/campaigns',
      'GET /api/app-access/admin/campaigns/c%201',
      'GET /api/app-access/admin/campaigns/c%201/questions?status=kept&offset=25',
      'POST /api/app-access/admin/campaigns/c%201/end',
      'POST /api/app-access/admin/campaigns/c%201/cancel',
      'POST /api/app-access/reclaim-questions/q%2F1/answer',
    ]);
    expect(bodies).toEqual([
      {
        appId: 'zoom',
        tierId: 'basic',
        inactiveDays: 60,
        answerDays: 14,
        grantIds: ['g1'],
      },
      {},
      {},
      { answer: 'keep', reason: 'Daily calls' },
    ]);
  });
});
