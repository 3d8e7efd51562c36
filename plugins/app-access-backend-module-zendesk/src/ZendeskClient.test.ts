import { createClient } from 'node-zendesk';
import { FakeZendesk } from './testing/FakeZendesk';

/** Pins down the node-zendesk 6 behaviour the client works around. */
describe('node-zendesk against the fake Zendesk', () => {
  let fake: FakeZendesk;

  beforeAll(async () => {
    fake = await FakeZendesk.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const sdk = (headers?: Record<string, string>, token = fake.apiToken) =>
    createClient({
      username: fake.email,
      token,
      endpointUri: `${fake.url}/api/v2`,
      throwOriginalException: true,
      customHeaders: headers,
    });

  const ticket = {
    ticket: {
      subject: 'x',
      comment: { body: 'y' },
      external_id: 'r1',
      tags: ['App Access'],
    },
  };

  it('creates, lists by external_id and shows tickets; tags are normalised', async () => {
    const created: any = await sdk().tickets.create(ticket as any);
    expect(created.response.status).toBe(201);
    expect(created.result).toMatchObject({
      id: 1,
      external_id: 'r1',
      tags: ['app_access'],
    });
    expect(
      await sdk().tickets.listWithFilter('external_id', 'r1'),
    ).toMatchObject([{ id: 1 }]);
    expect(await sdk().tickets.listWithFilter('external_id', 'r2')).toEqual([]);
    expect(((await sdk().tickets.show(1)) as any).result.id).toBe(1);
  });

  it('the same Idempotency-Key returns the same ticket', async () => {
    const a: any = await sdk({ 'Idempotency-Key': 'k1' }).tickets.create(
      ticket as any,
    );
    const b: any = await sdk({ 'Idempotency-Key': 'k1' }).tickets.create(
      ticket as any,
    );
    expect(b.result.id).toBe(a.result.id);
    expect(b.response.headers.get('x-idempotency-lookup')).toBe('hit');
    expect(fake.tickets).toHaveLength(1);
  });

  it('QUIRK: with Retry-After, create resolves with status 429 and an Error as result', async () => {
    fake.rateLimitNext(1, 5);
    const out: any = await sdk().tickets.create(ticket as any);
    expect(out.response.status).toBe(429);
    expect(out.result).toBeInstanceOf(Error);
    expect(out.result.statusCode).toBe(429);
  });

  it('throws with statusCode for a 503 without Retry-After, and for a 401', async () => {
    fake.failNext(1, 503);
    await expect(sdk().tickets.create(ticket as any)).rejects.toMatchObject({
      statusCode: 503,
    });
    await expect(sdk({}, 'wrong').users.me()).rejects.toMatchObject({
      statusCode: 401,
    });
  });
});
