import { mockServices } from '@backstage/backend-test-utils';
import { UsageSyncState } from '@app-access/plugin-app-access-node';
import {
  IncrementalSyncEngine,
  SyncCheckpoint,
  SyncJob,
  SyncRunControls,
  SyncRunState,
} from './IncrementalSyncEngine';
import { SyncProgressStore } from './SyncProgressStore';
import { SyncReader, SyncReaderContext } from './SyncReader';

/** Progress kept in memory, merged like the core's sync state. */
class MemoryProgressStore implements SyncProgressStore {
  state?: UsageSyncState;
  saves = 0;

  async load() {
    return this.state && JSON.parse(JSON.stringify(this.state));
  }

  async save(changes: Partial<UsageSyncState>) {
    this.saves += 1;
    this.state = JSON.parse(
      JSON.stringify({ status: 'idle', ...this.state, ...changes }),
    );
  }
}

/** Not a directory at all: the numbers 1..total, `size` a page, the cursor the last number read. */
class NumbersReader implements SyncReader<number> {
  readonly family = 'numbers';
  pagesRead: Array<string | undefined> = [];

  constructor(
    private readonly total: number,
    private readonly size: number,
    /** Called before each page is answered (a test stops the run from here). */
    private readonly beforePage: (
      cursor: string | undefined,
    ) => void = () => {},
  ) {}

  async next({ signal }: SyncReaderContext, cursor: string | undefined) {
    await this.beforePage(cursor);
    signal.throwIfAborted();
    this.pagesRead.push(cursor);
    const from = cursor ? Number(cursor) : 0;
    const items = Array.from(
      { length: Math.min(this.size, this.total - from) },
      (_, i) => from + i + 1,
    );
    const last = from + items.length;
    return last >= this.total
      ? { done: true as const, items }
      : { done: false as const, items, cursor: String(last) };
  }
}

type NumbersRun = SyncRunState & { after?: string; done: boolean };
type NumbersCheckpoint = SyncCheckpoint<NumbersRun> & { lastSum?: number };

/** Sums the numbers it reads; the sum and cursor live in the run, so a resumed run carries on. */
class SumJob
  implements SyncJob<NumbersRun, NumbersCheckpoint, Record<string, never>>
{
  seen: number[] = [];

  constructor(private readonly reader: NumbersReader) {}

  resumes() {
    return true;
  }

  async newRun(): Promise<NumbersRun> {
    return { activeMs: 0, attempts: 1, counts: { sum: 0 }, done: false };
  }

  async execute(run: NumbersRun, controls: SyncRunControls) {
    await controls.read(this.reader, run, async items => {
      this.seen.push(...items);
      run.counts.sum += items.reduce((a, b) => a + b, 0);
    });
    run.done = true;
  }

  finished(run: NumbersRun): NumbersCheckpoint {
    return { lastSum: run.counts.sum };
  }

  describeStart() {
    return 'numbers: starting';
  }

  describeFinish() {
    return 'numbers: finished';
  }
}

describe('IncrementalSyncEngine', () => {
  const logger = mockServices.logger.mock();

  it('reads every page of a reader and counts the pages and the meters', async () => {
    const progress = new MemoryProgressStore();
    const reader = new NumbersReader(10, 3);
    const job = new SumJob(reader);
    let requests = 5;
    const engine = new IncrementalSyncEngine(job, {
      name: 'Numbers sync',
      progress,
      logger,
      meters: () => ({ requests: (requests += 4) }),
    });

    const result = await engine.run({});

    expect(result.status).toBe('finished');
    expect(job.seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(reader.pagesRead).toEqual([undefined, '3', '6', '9']);
    expect(result.counts).toMatchObject({
      sum: 55,
      pages: 4,
      pagesNumbers: 4,
    });
    // Every fold adds what the meter grew by since the run started.
    expect(result.counts.requests).toBe(requests - 9);
    expect(progress.state).toMatchObject({
      status: 'idle',
      checkpoint: { lastSum: 55 },
      lastCounts: { sum: 55, pages: 4 },
    });
    expect(progress.state?.checkpoint?.run).toBeUndefined();
  });

  it('continues an aborted run from the page after its last checkpoint', async () => {
    const progress = new MemoryProgressStore();
    const stop = new AbortController();
    const first = new NumbersReader(10, 3, cursor => {
      if (cursor === '6') stop.abort(new Error('shutting down'));
    });
    const firstJob = new SumJob(first);
    const firstEngine = new IncrementalSyncEngine(firstJob, {
      name: 'Numbers sync',
      progress,
      logger,
    });

    await expect(firstEngine.run({ signal: stop.signal })).rejects.toThrow(
      'Stopped before finishing (shutting down); the next run continues from the checkpoint',
    );
    expect(firstJob.seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.state).toMatchObject({
      status: 'failed',
      checkpoint: { run: { after: '6', done: false, attempts: 1 } },
      lastCounts: { sum: 21, pages: 2, pagesNumbers: 2 },
    });

    // A new process: a new engine and reader over the same progress.
    const second = new NumbersReader(10, 3);
    const secondJob = new SumJob(second);
    const result = await new IncrementalSyncEngine(secondJob, {
      name: 'Numbers sync',
      progress,
      logger,
    }).run({});

    expect(result).toMatchObject({ status: 'finished', resumed: true });
    expect(second.pagesRead).toEqual(['6', '9']);
    expect(secondJob.seen).toEqual([7, 8, 9, 10]);
    expect(result.counts).toMatchObject({
      sum: 55,
      pages: 4,
      pagesNumbers: 4,
      resumes: 1,
    });
    expect(progress.state).toMatchObject({
      status: 'idle',
      checkpoint: { lastSum: 55 },
    });
  });

  it('stops the other parts of a run when one fails, and keeps their progress', async () => {
    const progress = new MemoryProgressStore();
    const slow = new NumbersReader(
      100,
      1,
      () => new Promise(resolve => setTimeout(resolve, 2)),
    );
    class SideBySideJob extends SumJob {
      async execute(run: NumbersRun, controls: SyncRunControls) {
        await controls.parallel([
          () => super.execute(run, controls),
          async () => {
            await new Promise(resolve => setTimeout(resolve, 20));
            throw new Error('the other list broke');
          },
        ]);
      }
    }
    const engine = new IncrementalSyncEngine(new SideBySideJob(slow), {
      name: 'Numbers sync',
      progress,
      logger,
    });

    await expect(engine.run({})).rejects.toThrow('the other list broke');
    expect(slow.pagesRead.length).toBeLessThan(100);
    expect(progress.state).toMatchObject({
      status: 'failed',
      lastError:
        'the other list broke; the next run continues from the checkpoint',
    });
    const saved = progress.state?.checkpoint?.run as NumbersRun;
    expect(Number(saved.after)).toBeGreaterThan(0);
  });

  it('skips a run while another is going on', async () => {
    const progress = new MemoryProgressStore();
    let release = () => {};
    const gate = new Promise<void>(resolve => (release = resolve));
    const reader = new NumbersReader(3, 3);
    const job = new SumJob(reader);
    const engine = new IncrementalSyncEngine(job, {
      name: 'Numbers sync',
      progress,
      logger,
    });
    const originalExecute = job.execute.bind(job);
    job.execute = async (run, controls) => {
      await gate;
      await originalExecute(run, controls);
    };

    const running = engine.run({});
    await expect(engine.run({})).resolves.toEqual({
      status: 'skipped',
      resumed: false,
      counts: {},
    });
    release();
    await expect(running).resolves.toMatchObject({ status: 'finished' });
    expect(job.seen).toEqual([1, 2, 3]);
  });
});
