import { TtlCache } from './TtlCache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TtlCache', () => {
  let now: number;
  let loads: number;
  const cache = (ttlMs = 1000, maxEntries = 3) =>
    new TtlCache<string, string>({ ttlMs, maxEntries, now: () => now });
  const loader = (value: string) => async () => {
    loads += 1;
    return value;
  };

  beforeEach(() => {
    now = 0;
    loads = 0;
  });

  it('serves a value until its TTL has passed, then loads it again', async () => {
    const c = cache();
    expect(await c.get('a', loader('a1'))).toBe('a1');
    now = 999;
    expect(await c.get('a', loader('a2'))).toBe('a1');
    now = 1000;
    expect(await c.get('a', loader('a3'))).toBe('a3');
    expect(loads).toBe(2);
  });

  it('shares one load between callers asking at the same time', async () => {
    const c = cache();
    const load = deferred<string>();
    const first = c.get('a', () => load.promise);
    const second = c.get('a', loader('other'));
    load.resolve('shared');
    expect(await first).toBe('shared');
    expect(await second).toBe('shared');
    expect(loads).toBe(0);
  });

  it('does not keep a failed load', async () => {
    const c = cache();
    await expect(
      c.get('a', async () => {
        throw new Error('db down');
      }),
    ).rejects.toThrow('db down');
    expect(await c.get('a', loader('a1'))).toBe('a1');
  });

  it('drops the least recently used beyond maxEntries', async () => {
    const c = cache(1000, 2);
    await c.get('a', loader('a'));
    await c.get('b', loader('b'));
    await c.get('a', loader('a again')); // a is now the most recent
    await c.get('c', loader('c')); // b goes
    expect(c.size).toBe(2);
    expect(await c.get('a', loader('a reloaded'))).toBe('a');
    expect(await c.get('b', loader('b reloaded'))).toBe('b reloaded');
  });

  it('forgets invalidated keys, and a load in flight is not served after the invalidation', async () => {
    const c = cache();
    await c.get('a', loader('a1'));
    await c.get('b', loader('b1'));
    c.invalidate(['a']);
    expect(await c.get('a', loader('a2'))).toBe('a2');
    expect(await c.get('b', loader('b2'))).toBe('b1');

    const slow = deferred<string>();
    const inFlight = c.get('b', async () => 'never'); // still cached: b1
    expect(await inFlight).toBe('b1');
    c.invalidate();
    const started = c.get('b', () => slow.promise); // reads "old" rows
    c.invalidate(); // a write committed meanwhile
    slow.resolve('old');
    expect(await started).toBe('old'); // that caller gets what it read ...
    expect(await c.get('b', loader('new'))).toBe('new'); // ... nobody after it
  });

  it('invalidates again when a transaction commits', async () => {
    const c = cache();
    const commit = deferred<void>();
    const tx = { isTransaction: true, executionPromise: commit.promise } as any;
    await c.get('a', loader('before'));
    c.invalidateAfterCommit(tx);
    // A read while the transaction is open still sees the old rows ...
    expect(await c.get('a', loader('old rows'))).toBe('old rows');
    commit.resolve();
    await commit.promise;
    await Promise.resolve();
    // ... and is dropped once the write has committed.
    expect(await c.get('a', loader('new rows'))).toBe('new rows');
  });

  it('caches nothing with a TTL of 0', async () => {
    const c = cache(0);
    await c.get('a', loader('a1'));
    expect(await c.get('a', loader('a2'))).toBe('a2');
    expect(c.size).toBe(0);
  });
});
