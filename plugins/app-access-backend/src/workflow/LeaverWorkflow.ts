import { Knex } from 'knex';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ApprovalTask,
  CANCELLABLE_STATUSES,
} from '@app-access/plugin-app-access-common';
import { AppAccessDirectory } from '@app-access/plugin-app-access-node';
import { AppStore } from '../database/AppStore';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { AuditEventStore } from '../database/AuditEventStore';
import { LeaverStore, PARTY_LEFT_EVENT } from '../database/LeaverStore';
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
  /** Groups taken off the task because nobody is left in them. */
  emptied?: string[];
};

export type LeaverOutcome = { cancelled: number; moved: number };

/**
 * What happens to a leaver's request, by status (see docs/architecture.md,
 * "People who leave"): cancel when nothing can be in flight at a vendor,
 * note and leave it to its job or ticket otherwise.
 */
function leaverRule(request: StoredRequest): 'cancel' | 'note' | 'leave' {
  if (CANCELLABLE_STATUSES.includes(request.status)) return 'cancel';
  // A dead fulfil job: nothing runs; an admin retry would grant a leaver.
  if (request.status === 'failed') return 'cancel';
  if (request.status === 'awaiting_it') {
    // IT's own to-do (manual fulfilment, an intake): nothing outside App Access.
    const byHand =
      !request.externalRef &&
      (!request.fulfilledBy || request.fulfilledBy === 'manual');
    return byHand ? 'cancel' : 'note';
  }
  // fulfilling: the fenced fulfil job runs or is queued; it ends the request.
  return 'leave';
}

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
      /** Who is in a group now (the same directory approvals resolve against). */
      directory: AppAccessDirectory;
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
    try {
      total.moved += await this.moveEmptiedGroupTasks();
    } catch (error) {
      this.deps.logger?.warn(
        `Could not move on approval tasks of groups nobody is left in: ${
          (error as Error).message
        }`,
      );
    }
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
    const { leavers, tasks } = this.deps;
    if (!(await leavers.get(ref))) return { cancelled: 0, moved: 0 };
    const open = await leavers.openRequestsOf(ref);
    const requests = open.filter(r => leaverRule(r) === 'cancel');
    const noting = open.filter(r => leaverRule(r) === 'note');
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
      if (await this.anyoneMayDecide(remaining, excluded)) {
        moves.push({ task, request, added: [], awaitsAdmin: false });
        continue;
      }
      moves.push(await this.toFallback(task, request, excluded));
    }

    let moved = 0;
    await this.deps.db.transaction(async tx => {
      for (const request of requests) {
        const others = partiesOf(request).filter(p => p !== ref);
        await this.writer.record(tx, {
          request,
          // Exactly the status it was read in: a request that moved on meanwhile
          // (a decision, the fulfil job) fails the transaction, and the next
          // sweep looks again.
          from: request.status,
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
      for (const request of noting) {
        // The ticket (or the vendor's provisioning) is followed as before:
        // done grants access listed for admins with the leaver's; won't-do
        // fails it, and the next sweep cancels it.
        await this.writer.record(tx, {
          request,
          event: {
            appId: request.appId,
            actor: SYSTEM_ACTOR,
            type: PARTY_LEFT_EVENT,
            comment: `${shortRef(
              ref,
            )} left the directory while IT has the request${
              request.externalRef ? ` (${request.externalRef})` : ''
            }; it is followed to its end, and access granted after all is listed with the access of people who left`,
            data: { person: ref },
          },
        });
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

  /**
   * Whether someone may decide: a user approver, or a member of a group
   * approver, who has not left and is none of `excluded` (the parties,
   * earlier deciders). The directory may still list a leaver in a group
   * (the Okta sync saw them go, the catalog has not yet): they do not count.
   */
  private async anyoneMayDecide(approvers: string[], excluded: string[]) {
    const people = new Set<string>();
    for (const ref of approvers) {
      const members = ref.startsWith('group:')
        ? await this.deps.directory.getGroupMembers(ref)
        : [ref];
      for (const member of members) people.add(member);
    }
    const gone = await this.deps.leavers.goneAmong([...people]);
    return this.deps.persons.hasOtherPerson(
      [...people].filter(p => !gone.has(p)),
      excluded,
    );
  }

  /** The fallback approver (else the default approvers) takes a task over, else an admin must name someone. */
  private async toFallback(
    task: ApprovalTask,
    request: StoredRequest,
    excluded: string[],
  ): Promise<TaskMove> {
    const { persons } = this.deps;
    const settings = await this.deps.settings.get();
    const stand = settings.fallbackApprover
      ? [settings.fallbackApprover]
      : settings.defaultApprovers;
    const added = (await this.anyoneMayDecide(stand, excluded))
      ? (await persons.without(stand, excluded)).filter(
          a => !task.approvers.includes(a),
        )
      : [];
    return { task, request, added, awaitsAdmin: added.length === 0 };
  }

  /**
   * Group approval tasks whose last member left: nobody the directory still
   * has may decide them. The empty groups come off the task (so the task is
   * not found again) and the fallback approver is asked, else an admin must
   * name one. One transaction per task; a task decided meanwhile is skipped.
   */
  async moveEmptiedGroupTasks(): Promise<number> {
    const { leavers, tasks } = this.deps;
    if (!(await leavers.anyLeaver())) return 0;
    let moved = 0;
    for (const taskId of await leavers.openTasksWithoutActiveApprovers()) {
      const task = await tasks.getTask(taskId);
      if (!task || task.status !== 'open') continue;
      const request = await this.deps.requests.get(task.requestId);
      if (!request || request.status !== 'pending_approval') continue;
      const deciders = (await tasks.tasksForRequest(request.id))
        .filter(t => t.level < task.level && t.decidedBy)
        .map(t => t.decidedBy!);
      const excluded = [...partiesOf(request), ...deciders];
      if (await this.anyoneMayDecide(task.approvers, excluded)) continue;
      const emptied: string[] = [];
      for (const group of task.approvers.filter(a => a.startsWith('group:'))) {
        if (!(await this.anyoneMayDecide([group], []))) emptied.push(group);
      }
      if (!emptied.length) continue;
      const move = {
        ...(await this.toFallback(task, request, excluded)),
        emptied,
      };
      const recorded = await this.deps.db.transaction(async tx => {
        if (!(await leavers.removeApprovers(task.id, emptied, tx))) {
          return false;
        }
        await this.recordMove(tx, emptied.join(', '), move);
        return true;
      });
      if (recorded) moved += 1;
    }
    if (moved) this.deps.onEnqueued?.();
    return moved;
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
        comment: move.emptied?.length
          ? `Nobody is left in ${move.emptied
              .map(g => g.replace(/^group:default\//, ''))
              .join(', ')} to decide level ${task.level}; ${whoDecides(move)}`
          : `${shortRef(ref)} left the directory; ${whoDecides(move)}`,
        data: move.emptied?.length
          ? { groups: move.emptied, approvers: added }
          : { person: ref, approvers: added },
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
            occurrence: move.emptied?.length
              ? `emptied:${task.id}`
              : `leaver:${ref}`,
          }
        : undefined,
    });
  }
}
