import {
  basicAuthorization,
  FakeVendorApi,
  FakeVendorRequest,
} from './FakeVendorApi';

/** A vendor with one list and one create, answering in its own error format. */
class FakeThings extends FakeVendorApi {
  things: string[] = [];

  reset() {
    super.reset();
    this.things = [];
  }

  protected expectedAuthorization() {
    return basicAuthorization('bot', 'secret');
  }

  protected unauthorizedBody() {
    return { error: 'unauthorized' };
  }

  protected failureBody(status: number) {
    return { error: `failure ${status}` };
  }

  protected route({ method, path, body, res, send }: FakeVendorRequest) {
    if (method === 'GET' && path === '/things') {
      send(200, { things: this.things });
    } else if (method === 'POST' && path === '/things') {
      this.things.push(body.name);
      if (this.dropConnectionIfAsked(res)) return;
      send(201, { name: body.name });
    } else {
      send(404, { error: 'not found' });
    }
  }
}

describe('FakeVendorApi', () => {
  let fake: FakeThings;
  const auth = { Authorization: basicAuthorization('bot', 'secret') };
  const create = (name: string) =>
    fetch(`${fake.url}/things`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });

  beforeEach(async () => {
    fake = await FakeThings.start();
  });

  afterEach(() => fake.stop());

  it('records every call with its answer, and refuses wrong credentials', async () => {
    await create('a');
    const refused = await fetch(`${fake.url}/things?page=2`);

    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'unauthorized' });
    expect(fake.calls).toMatchObject([
      {
        method: 'POST',
        path: '/things',
        body: { name: 'a' },
        status: 201,
        response: { name: 'a' },
        finished: true,
      },
      {
        method: 'GET',
        url: '/things?page=2',
        query: { page: '2' },
        status: 401,
      },
    ]);
  });

  it('fails the matching calls a switch names, after letting `skip` through', async () => {
    fake.failNext(1, {
      status: 429,
      retryAfterSeconds: 7,
      skip: 1,
      when: call => call.method === 'POST',
    });

    expect((await create('a')).status).toBe(201);
    expect((await fetch(`${fake.url}/things`, { headers: auth })).status).toBe(
      200,
    );
    const limited = await create('b');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ error: 'failure 429' });
    expect((await create('c')).status).toBe(201);
    expect(fake.things).toEqual(['a', 'c']);
  });

  it('drops a connection before the call is handled, or after', async () => {
    fake.failNext(1, { drop: 'before' });
    await expect(create('lost')).rejects.toThrow();
    expect(fake.things).toEqual([]);

    fake.failNext(1, { drop: 'after' });
    await expect(create('done but unheard')).rejects.toThrow();
    expect(fake.things).toEqual(['done but unheard']);

    fake.dropNextCreate();
    await expect(create('also unheard')).rejects.toThrow();
    expect(fake.things).toEqual(['done but unheard', 'also unheard']);
    expect(fake.calls.slice(0, 2).map(c => [c.status, c.finished])).toEqual([
      [0, true],
      [0, true],
    ]);
  });

  it('forgets calls and switches on reset', async () => {
    fake.failNext(5);
    await create('a');
    fake.reset();

    expect(fake.calls).toEqual([]);
    expect((await create('b')).status).toBe(201);
  });
});
