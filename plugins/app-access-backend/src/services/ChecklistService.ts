import {
  Checklist,
  ChecklistStepEvidence,
  RequestEvent,
} from '@app-access/plugin-app-access-common';
import { AuditEventStore } from '../database/AuditEventStore';
import { RequestStore, StoredRequest } from '../database/RequestStore';

export type ChecklistStepId = ChecklistStepEvidence['id'];

/** What one request did: the request as it is now and its own events, oldest first. */
type Walk = { request: StoredRequest; events: RequestEvent[] };

/**
 * One step of the test plan: the path a request must follow for the step to
 * count, and the event it reaches it with (undefined: off the path).
 */
export type ChecklistPath = {
  id: ChecklistStepId;
  /** The event types a request on this path has; candidates are found by them. */
  triggers: string[];
  /** The event that shows the whole path was followed, or undefined. */
  match(walk: Walk): RequestEvent | undefined;
};

const OKTA_FULFILLERS = ['okta-group', 'okta-app'];
const TICKET_FULFILLERS = ['jira', 'zendesk', 'email'];

const isDecision = (e: RequestEvent) =>
  e.type === 'approved' || e.type === 'denied';

/** A plain access request (not an intake, not an extension of a grant). */
const isAccessRequest = (r: StoredRequest) =>
  r.kind === 'access' && !r.extendsGrantId;

/** Every planned level approved, in order, and nothing denied. */
function approvedThroughout(walk: Walk): boolean {
  const levels = walk.request.plan.map(l => l.level).sort((a, b) => a - b);
  const decisions = walk.events.filter(isDecision);
  return (
    levels.length > 0 &&
    decisions.length === levels.length &&
    decisions.every((d, i) => d.type === 'approved' && d.level === levels[i])
  );
}

/**
 * The seed's test plan, each step as the path one request takes (the
 * example catalog's suggestions and their alternatives all follow it; any
 * app and tier configured the same way does too):
 *
 * (a) deny-level-1: a tier with one approval level; its approver denies it,
 *     no other decision, the request ends denied.
 * (b) deny-level-2: a tier with two levels; level 1 approves, then level 2
 *     denies, the request ends denied.
 * (c) ignore: a request waiting for approval whose approvers are reminded
 *     before anyone answered it.
 * (d) okta: every level approves, then the Okta module (group membership or
 *     app assignment) grants it and the request ends fulfilled.
 * (e) ticket: every level approves, then a ticket is filed in Jira, Zendesk
 *     or by email (the request waits for IT with the ticket's reference);
 *     seen from then on, fulfilled or not.
 */
export const CHECKLIST_PATHS: ChecklistPath[] = [
  {
    id: 'deny-level-1',
    triggers: ['denied'],
    match({ request, events }) {
      const decisions = events.filter(isDecision);
      return request.plan.length === 1 &&
        request.status === 'denied' &&
        decisions.length === 1 &&
        decisions[0].type === 'denied' &&
        decisions[0].level === 1
        ? decisions[0]
        : undefined;
    },
  },
  {
    id: 'deny-level-2',
    triggers: ['denied'],
    match({ request, events }) {
      const decisions = events.filter(isDecision);
      return request.plan.length === 2 &&
        request.status === 'denied' &&
        decisions.length === 2 &&
        decisions[0].type === 'approved' &&
        decisions[0].level === 1 &&
        decisions[1].type === 'denied' &&
        decisions[1].level === 2
        ? decisions[1]
        : undefined;
    },
  },
  {
    id: 'ignore',
    triggers: ['reminder_sent'],
    match({ request, events }) {
      if (request.plan.length === 0) return undefined;
      const firstDecision = events.findIndex(isDecision);
      const ignored = events.filter(
        (e, i) =>
          e.type === 'reminder_sent' &&
          (firstDecision < 0 || i < firstDecision),
      );
      return ignored[ignored.length - 1];
    },
  },
  {
    id: 'okta',
    triggers: ['fulfilled'],
    match(walk) {
      const { request, events } = walk;
      if (
        request.status !== 'fulfilled' ||
        !OKTA_FULFILLERS.includes(request.fulfilledBy ?? '') ||
        !approvedThroughout(walk)
      ) {
        return undefined;
      }
      const lastApproval = events.map(e => e.type).lastIndexOf('approved');
      return events.find((e, i) => i > lastApproval && e.type === 'fulfilled');
    },
  },
  {
    id: 'ticket',
    triggers: ['awaiting_it'],
    match(walk) {
      const { request, events } = walk;
      if (
        !['awaiting_it', 'fulfilled'].includes(request.status) ||
        !TICKET_FULFILLERS.includes(request.fulfilledBy ?? '') ||
        !request.externalRef ||
        !approvedThroughout(walk)
      ) {
        return undefined;
      }
      const lastApproval = events.map(e => e.type).lastIndexOf('approved');
      const filed = events.findIndex(
        (e, i) => i > lastApproval && e.type === 'awaiting_it',
      );
      if (filed < 0) return undefined;
      if (request.status === 'awaiting_it') return events[filed];
      return events.find((e, i) => i > filed && e.type === 'fulfilled');
    },
  },
];

/** How many of the latest requests with a step's events are looked at. */
const CANDIDATES = 500;

/**
 * "Test your configuration": which steps of the test plan one request was
 * seen to follow, read from the requests and their own audit events.
 */
export class ChecklistService {
  constructor(
    private readonly deps: { events: AuditEventStore; requests: RequestStore },
  ) {}

  async evaluate(): Promise<Checklist> {
    const triggers = [...new Set(CHECKLIST_PATHS.flatMap(p => p.triggers))];
    const ids = await this.deps.events.latestRequestsWith(triggers, CANDIDATES);
    const [requests, events] = await Promise.all([
      this.deps.requests.getMany(ids),
      this.deps.events.eventsForRequests(ids),
    ]);
    const walks: Walk[] = requests
      .filter(isAccessRequest)
      .map(request => ({ request, events: events.get(request.id) ?? [] }));
    return {
      steps: CHECKLIST_PATHS.map(path => {
        let best: RequestEvent | undefined;
        for (const walk of walks) {
          const event = path.match(walk);
          if (event && (!best || event.at.localeCompare(best.at) > 0)) {
            best = event;
          }
        }
        return best
          ? { id: path.id, seen: true, requestId: best.requestId, at: best.at }
          : { id: path.id, seen: false };
      }),
    };
  }
}
