import { Knex } from 'knex';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ApprovalTask,
  CANCELLABLE_STATUSES,
} from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { AuditEventStore } from '../database/AuditEventStore';
import { LeaverStore } from '../database/LeaverStore';
import { OutboxStore } from '../database/OutboxStore';
import { RequestStore, StoredRequest } from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';
import { PersonMatcher } from './PersonMatcher';
import { partiesOf, SYSTEM_ACTOR } from './RequestWorkflow';
import {
  ChannelRouting,
  TransitionEvent,
  TransitionWriter,
} from './TransitionWriter';

/** How an open task one leaver was asked to decide moves on. */
type TaskMove = {
  task: ApprovalTask;
  request: StoredRequest;
  /** Who is asked now: nobody new when the level's other approvers remain. */
  added: string[];
  /** Nobody else may decide: an admin names an approver. */
  awaitsAdmin: boolean;
};

export type LeaverOutcome = { cancelled: number; moved: number };

const shortRef = (ref: string) => ref.replace(/^user:default\//, '');

/** What the timeline says of who decides the level now. */
function whoDecides(move: TaskMove): string {
  if (move.added.length) return 'the fallback approver is asked';
  if (move.awaitsAdmin) {
    return `nobody else may decide level ${move.task.level}`;
  }
  return "the level's other approvers decide";
}

/**
 * What happens when a person leaves the directory (the catalog copy no
 * longer has them, or the Okta sync saw them deactivated): in one
 * transaction per person, the requests they filed or were to get are
 * cancelled, and the approval tasks waiting for them move on to the level's
 * other approvers, else to the fallback approver, else wait for an admin.
 * Nothing here calls a vendor: the IdP usually removed their access already,
 * and admins see what App Access granted them (`LeaverStore.grantedTo`).
 */
export class LeaverWorkflow {
  private readonly writer: TransitionWriter;

  constructor(
    private readonly deps: {
      db: Knex;
      apps: AppStore;
      requests: RequestStore;
      tasks: ApprovalTaskStore;
      events: AuditEventStore;
      outbox: OutboxStore;
      settings: SettingsStore;
      leavers: LeaverStore;
      persons: PersonMatcher;
      channels: ChannelRouting;
      logger?: LoggerService;
      onEnqueued?: () => void;
    },
  ) {
    this.writer = new TransitionWriter(deps);
  }

  /**
   * Handles every leaver who still has open requests or tasks. Safe to run
   * on several replicas at once and again and again: a leaver handled is
   * no longer found, and each step checks the state it moves from.
   */
  async sweep(): Promise<LeaverOutcome & { people: number }> {
    const total = { people: 0, cancelled: 0, moved: 0 };
    for (const ref of await this.deps.leavers.withOpenWork()) {
      try {
        const outcome = await this.handle(ref);
        total.people += 1;
        total.cancelled += outcome.cancelled;
        total.moved += outcome.moved;
      } catch (error) {
        // Another replica or a decision moved something first: the next
        // sweep finds what is left.
        this.deps.logger?.warn(
          `Could not finish the open work of ${ref}, who left the directory: ${
            (error as Error).message
          }`,
        );
      }
    }
    return total;
  }

  /** One leaver, in one transaction; nothing when the person is (back) in the directory. */
  async handle(ref: string): Promise<LeaverOutcome> {
    const { leavers, tasks, persons } = this.deps;
    if (!(await leavers.get(ref))) return { cancelled: 0, moved: 0 };
    const requests = await leavers.openRequestsOf(ref);
    const cancelling = new Set(requests.map(r => r.id));
    // Who takes over each task is read before the transaction: the
    // directory is not read inside it (on SQLite it holds the only connection).
    const moves: TaskMove[] = [];
    for (const taskId of await leavers.openTaskIdsOf(ref)) {
      const task = await tasks.getTask(taskId);
      if (!task || task.status !== 'open' || cancelling.has(task.requestId)) {
        continue;
      }
      const request = await this.deps.requests.get(task.requestId);
      if (!request || request.status !== 'pending_approval') continue;
      const deciders = (await tasks.tasksForRequest(request.id))
        .filter(t => t.level < task.level && t.decidedBy)
        .map(t => t.decidedBy!);
      const excluded = [...partiesOf(request), ...deciders, ref];
      const remaining = task.approvers.filter(a => a !== ref);
      if (await persons.hasOtherPerson(remaining, excluded)) {
        moves.push({ task, request, added: [], awaitsAdmin: false });
        continue;
      }
      const settings = await this.deps.settings.get();
      const stand = settings.fallbackApprover
        ? [settings.fallbackApprover]
        : settings.defaultApprovers;
      const added = (await persons.hasOtherPerson(stand, excluded))
        ? (await persons.without(stand, excluded)).filter(
            a => !task.approvers.includes(a),
          )
        : [];
      moves.push({ task, request, added, awaitsAdmin: added.length === 0 });
    }

    let moved = 0;
    await this.deps.db.transaction(async tx => {
      for (const request of requests) {
        const others = partiesOf(request).filter(p => p !== ref);
        await this.writer.record(tx, {
          request,
          from: CANCELLABLE_STATUSES,
          to: 'cancelled',
          changes: { level: 0, open_key: null },
          event: {
            appId: request.appId,
            actor: SYSTEM_ACTOR,
            type: 'requester_left',
            fromStatus: request.status,
            toStatus: 'cancelled',
            comment: `${shortRef(
              ref,
            )} left the directory; the request was cancelled`,
            data: { person: ref },
          },
          notify: others.length
            ? {
                kind: 'status_changed',
                audience: 'requester',
                recipients: others,
                occurrence: `left:${ref}`,
              }
            : undefined,
        });
        await this.deps.tasks.supersedeOpenTasks(request.id, tx);
      }
      for (const move of moves) {
        if (!(await this.deps.leavers.removeApprover(move.task.id, ref, tx))) {
          continue;
        }
        moved += 1;
        await this.recordMove(tx, ref, move);
      }
    });
    this.deps.onEnqueued?.();
    return { cancelled: requests.length, moved };
  }

  private async recordMove(tx: Knex, ref: string, move: TaskMove) {
    const { task, request, added } = move;
    if (added.length) {
      await this.deps.tasks.addApprovers(task.id, added, tx);
      await this.deps.tasks.setTaskFallback(task.id, tx);
    }
    const events: TransitionEvent[] = [
      {
        appId: request.appId,
        actor: SYSTEM_ACTOR,
        type: 'approver_left',
        level: task.level,
        comment: `${shortRef(ref)} left the directory; ${whoDecides(move)}`,
        data: { person: ref, approvers: added },
      },
    ];
    if (move.awaitsAdmin) {
      events.push({
        appId: request.appId,
        actor: SYSTEM_ACTOR,
        type: 'approver_needed',
        level: task.level,
        comment: `Nobody is left to decide level ${task.level}; an admin must name an approver`,
      });
    }
    await this.writer.record(tx, {
      request,
      event: events,
      notify: added.length
        ? {
            kind: 'approval_needed',
            audience: 'approvers',
            recipients: added,
            task,
            occurrence: `leaver:${ref}`,
          }
        : undefined,
    });
  }
}
