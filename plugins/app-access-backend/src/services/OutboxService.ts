import { NotFoundError } from '@backstage/errors';
import { OutboxJob, OutboxList } from '@app-access/plugin-app-access-common';
import {
  OutboxJob as StoredOutboxJob,
  OutboxJobStatus,
  OutboxStore,
} from '../database/OutboxStore';
import { Caller, RequestWorkflow } from '../workflow/RequestWorkflow';

/** A job as admins see it: without its lease and idempotency bookkeeping. */
export function publicJob(job: StoredOutboxJob): OutboxJob {
  const {
    idempotencyKey: _key,
    lockedBy: _by,
    lockedUntil: _until,
    fence: _fence,
    ...rest
  } = job;
  return rest;
}

/** The outbox as admins oversee it: what is waiting, what gave up, and reviving it. */
export class OutboxService {
  constructor(
    private readonly deps: {
      outbox: OutboxStore;
      workflow: RequestWorkflow;
      /** Wakes this process's worker after a revival. */
      onJobRevived?: () => void;
    },
  ) {}

  async list(query: {
    status?: OutboxJobStatus;
    kind?: string;
    limit: number;
  }): Promise<OutboxList> {
    const [items, counts] = await Promise.all([
      this.deps.outbox.list(query),
      this.deps.outbox.countByStatus(),
    ]);
    return { items: items.map(publicJob), counts };
  }

  async revive(caller: Caller, id: string): Promise<OutboxJob> {
    await this.deps.workflow.reviveDeadJob(caller, id);
    this.deps.onJobRevived?.();
    const job = await this.deps.outbox.get(id);
    if (!job) throw new NotFoundError(`No outbox job ${id}`);
    return publicJob(job);
  }
}
