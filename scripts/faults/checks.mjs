// The checks from outside: what the API says about each request, and what the
// fakes themselves recorded. Each returns a list of breaches (strings).
import { ADMIN, APPROVER, L2_APPROVER } from './deployment.mjs';

/** The final state a request's planned outcome leads to. */
export function expectedStatus(tracked) {
  return tracked.outcome?.startsWith('deny') ? 'denied' : 'fulfilled';
}
import { slackIdOf } from './vendors.mjs';

/** Every request reached the state its path promises. */
export function checkFinalStates(details) {
  const breaches = [];
  for (const { tracked, request } of details) {
    if (request.status !== expectedStatus(tracked)) {
      breaches.push(
        `request ${tracked.id} (${tracked.appId}, ${tracked.requester}, ${
          tracked.outcome
        }) ended ${request.status}, expected ${expectedStatus(tracked)}${
          request.failureReason ? `: ${request.failureReason}` : ''
        }`,
      );
    }
    const expected =
      tracked.app.path === 'ticket' ? undefined : tracked.app.path;
    if (expected && request.fulfilledBy && request.fulfilledBy !== expected) {
      breaches.push(
        `request ${tracked.id} fulfilled by ${request.fulfilledBy}, not ${expected}`,
      );
    }
  }
  return breaches;
}

/** Okta group memberships are exactly the fulfilled okta-group requests. */
export function checkOkta(details, apps, okta) {
  const breaches = [];
  for (const app of apps.filter(a => a.path === 'okta-group')) {
    // Fulfilled and not removed again (a planned removal).
    const expected = new Set(
      details
        .filter(d => d.tracked.appId === app.id)
        .filter(d => d.request.status === 'fulfilled' && !d.tracked.removal)
        .map(d => `${d.tracked.requester}@acme.example`),
    );
    const members = new Set(
      [...(okta.groupMembers.get(app.oktaGroupId) ?? [])].map(
        id => okta.findUser(id)?.profile.login ?? id,
      ),
    );
    for (const login of expected) {
      if (!members.has(login))
        breaches.push(`okta: ${login} not in ${app.oktaGroupId} (${app.id})`);
    }
    for (const login of members) {
      if (!expected.has(login))
        breaches.push(
          `okta: ${login} in ${app.oktaGroupId} (${app.id}) without a fulfilled request (or after its removal)`,
        );
    }
  }
  return breaches;
}

/** Exactly one ticket per ticket-path request, none for the others. */
export function checkTickets(details, ticketing, vendors) {
  const breaches = [];
  const keys = new Map();
  const count = key => keys.set(key, (keys.get(key) ?? 0) + 1);
  if (ticketing === 'jira') {
    for (const issue of vendors.jira.issues)
      for (const label of issue.labels) count(label);
  } else if (ticketing === 'zendesk') {
    for (const ticket of vendors.zendesk.tickets)
      if (ticket.external_id) count(`app-access-${ticket.external_id}`);
  } else if (ticketing === 'email') {
    for (const mail of vendors.smtp.to('helpdesk@acme.example'))
      count((mail.parsed.messageId ?? '').replace(/^<|@.*$/g, ''));
  }
  for (const { tracked } of details) {
    const n = keys.get(`app-access-${tracked.id}`) ?? 0;
    const want =
      tracked.app.path === 'ticket' && expectedStatus(tracked) === 'fulfilled'
        ? 1
        : 0;
    if (n !== want)
      breaches.push(
        `${ticketing}: ${n} ticket(s) for request ${tracked.id} (${tracked.appId}), expected ${want}`,
      );
  }
  return breaches;
}

/** The request an approval mail (one with Approve / Deny links) asks about. */
export function approvalMailRequest(mail) {
  if (!(mail.parsed.text ?? '').includes('/api/app-access/actions/'))
    return undefined;
  return mail.parsed.headers.get('x-app-access-request');
}

/**
 * Approval messages: at most one Slack DM and one email per approver, request
 * and level (each approval here has one level), and none in a channel the app
 * does not ask in. That one arrived is shown by the approver's clicks (see
 * Workload.decidedWithoutMessage): a task decided before its notice ran
 * rightly gets none.
 */
export function checkApprovalMessages(details, vendors) {
  const breaches = [];
  const posts = vendors.slack
    .callsTo('chat.postMessage')
    .filter(
      c =>
        c.args.channel === slackIdOf(APPROVER) ||
        c.args.channel === vendors.slack.dmChannelOf(slackIdOf(APPROVER)),
    );
  const mails = vendors.smtp.to(`${APPROVER}@acme.example`);
  for (const { tracked } of details) {
    const slackCount = posts.filter(c =>
      JSON.stringify(c.args).includes(tracked.id),
    ).length;
    // A resend with the same Message-ID is the documented dedupe (a send
    // whose record was lost); a second Message-ID is a second message.
    const mailCount = new Set(
      mails
        .filter(m => approvalMailRequest(m) === tracked.id)
        .map(m => m.parsed.messageId),
    ).size;
    const channel = tracked.app.channel;
    if (slackCount > 1)
      breaches.push(
        `slack: ${slackCount} approval DMs for request ${tracked.id}`,
      );
    if (mailCount > 1)
      breaches.push(
        `email: ${mailCount} approval mails for request ${tracked.id}`,
      );
    if (channel !== 'slack' && slackCount > 0)
      breaches.push(
        `slack: a DM for request ${tracked.id} whose app asks by ${channel}`,
      );
  }
  return breaches;
}

const LEGAL = {
  submitted: ['pending_approval', 'approved', 'cancelled'],
  pending_approval: ['approved', 'denied', 'cancelled', 'pending_approval'],
  approved: ['fulfilling', 'awaiting_it', 'fulfilled', 'failed'],
  fulfilling: ['fulfilled', 'awaiting_it', 'failed'],
  awaiting_it: ['fulfilled', 'failed'],
  failed: ['approved', 'fulfilling'],
};

/**
 * No decision recorded twice, and a timeline that tells one story: each
 * status change starts where the previous one ended, one `approved` per level,
 * one `fulfilled`.
 */
export function checkDecisionsAndTimelines(details) {
  const breaches = [];
  for (const { tracked, request } of details) {
    const tasks = request.approvals ?? [];
    for (const task of tasks) {
      if (task.status === 'approved' && !task.decidedBy)
        breaches.push(
          `request ${tracked.id}: task ${task.id} approved by nobody`,
        );
    }
    const decidedLevels = tasks
      .filter(t => t.status === 'approved' || t.status === 'denied')
      .map(t => t.level);
    if (new Set(decidedLevels).size !== decidedLevels.length)
      breaches.push(
        `request ${tracked.id}: level decided twice (${decidedLevels.join(
          ', ',
        )})`,
      );
    breaches.push(...checkPlannedDecisions(tracked, tasks));
    const events = [...(request.events ?? [])].sort(
      (a, b) => Date.parse(a.at) - Date.parse(b.at),
    );
    const decisionsPerLevel = new Map();
    for (const e of events.filter(
      e => e.type === 'approved' || e.type === 'denied',
    )) {
      const level = e.level ?? 0;
      decisionsPerLevel.set(level, [
        ...(decisionsPerLevel.get(level) ?? []),
        e.type,
      ]);
    }
    for (const [level, types] of decisionsPerLevel) {
      if (types.length > 1)
        breaches.push(
          `request ${tracked.id}: ${
            types.length
          } decision events at level ${level} (${types.join(', ')})`,
        );
    }
    // `fulfilled` by a fulfiller or a follower, `marked_fulfilled` by IT.
    const fulfilledEvents = events.filter(
      e => e.toStatus === 'fulfilled',
    ).length;
    if (request.status === 'fulfilled' && fulfilledEvents !== 1)
      breaches.push(
        `request ${tracked.id}: ${fulfilledEvents} events that fulfil it`,
      );
    let status;
    for (const e of events.filter(e => e.toStatus)) {
      if (e.fromStatus && status && e.fromStatus !== status)
        breaches.push(
          `request ${tracked.id}: ${e.type} from ${e.fromStatus} after the timeline reached ${status}`,
        );
      if (
        e.fromStatus &&
        LEGAL[e.fromStatus] &&
        !LEGAL[e.fromStatus].includes(e.toStatus)
      )
        breaches.push(
          `request ${tracked.id}: ${e.fromStatus} -> ${e.toStatus} (${e.type})`,
        );
      status = e.toStatus;
    }
    if (status && status !== request.status)
      breaches.push(
        `request ${tracked.id}: timeline ends ${status}, request says ${request.status}`,
      );
  }
  return breaches;
}

/** No outbox job was given up on. */
export async function checkOutbox(client) {
  const res = await client.api(
    ADMIN,
    'GET',
    '/admin/outbox?status=dead&limit=100',
  );
  if (res.status !== 200) return [`admin outbox: HTTP ${res.status}`];
  return (res.body.items ?? []).map(
    job => `outbox job ${job.id} (${job.kind}) dead: ${job.lastError}`,
  );
}

/**
 * Each level was decided as planned and by the person asked: sam.manager at
 * level 1, victor.vance at level 2; a denial at level 1 leaves level 2
 * undecided.
 */
function checkPlannedDecisions(tracked, tasks) {
  if (!tracked.outcome || tracked.app.channel === 'none') return [];
  const want = {
    approve: [['approved', APPROVER]],
    deny1: [['denied', APPROVER]],
    approve2: [
      ['approved', APPROVER],
      ['approved', L2_APPROVER],
    ],
    deny2: [
      ['approved', APPROVER],
      ['denied', L2_APPROVER],
    ],
  }[tracked.outcome];
  const breaches = [];
  const decided = tasks.filter(
    t => t.status === 'approved' || t.status === 'denied',
  );
  want.forEach(([status, by], i) => {
    const level = i + 1;
    const task = decided.find(t => t.level === level);
    if (!task)
      breaches.push(
        `request ${tracked.id} (${tracked.outcome}): level ${level} never decided`,
      );
    else if (task.status !== status || !String(task.decidedBy).endsWith(by))
      breaches.push(
        `request ${tracked.id} (${tracked.outcome}): level ${level} ${task.status} by ${task.decidedBy}, expected ${status} by ${by}`,
      );
  });
  for (const task of decided.filter(t => t.level > want.length))
    breaches.push(
      `request ${tracked.id} (${tracked.outcome}): level ${task.level} decided (${task.status}) though it should not have been`,
    );
  return breaches;
}

/**
 * Counts the Okta group removals that took someone out (a DELETE for a
 * member), so a removal repeated after a lost answer shows as two only when
 * the member was really deleted twice (re-added in between).
 */
export function recordOktaRemovals(okta) {
  okta.removals = [];
  const remove = okta.removeFromGroup.bind(okta);
  okta.removeFromGroup = (groupId, userId) => {
    const was = !!okta.groupMembers.get(groupId)?.has(userId);
    const result = remove(groupId, userId);
    if (was) okta.removals.push({ groupId, userId, at: Date.now() });
    return result;
  };
}

/**
 * Each planned removal (expiry, the holder, an admin) ended with the access
 * removed, once, and reached the vendor exactly once: the request's timeline
 * has one `access_removal_started` (with the planned cause) and one
 * `access_removed`, the grant is no longer among the holder's access, the
 * Okta membership was deleted once, and there is one removal ticket (Jira
 * label / Zendesk external_id `app-access-removal-<grant id>`). Nothing was
 * removed for anyone else. held: requestId → the grant, for the grants the
 * holders still hold at the end (My access lists held ones only).
 */
export function checkRemovals(details, held, apps, vendors, ticketing) {
  const breaches = [];
  const CAUSES = {
    expire: 'expired',
    holder: 'removed_by_holder',
    admin: 'revoked',
  };
  const removalTickets = new Map();
  const count = key =>
    removalTickets.set(key, (removalTickets.get(key) ?? 0) + 1);
  for (const issue of vendors.jira.issues)
    for (const label of issue.labels)
      if (label.startsWith('app-access-removal-')) count(label);
  for (const ticket of vendors.zendesk.tickets)
    if (ticket.external_id?.startsWith('app-access-removal-'))
      count(ticket.external_id);
  const oktaRemovals = new Map();
  for (const r of vendors.okta.removals ?? []) {
    const key = `${r.groupId} ${r.userId}`;
    oktaRemovals.set(key, (oktaRemovals.get(key) ?? 0) + 1);
  }
  const appsById = new Map(apps.map(a => [a.id, a]));
  for (const { tracked, request } of details) {
    const events = request.events ?? [];
    const started = events.filter(e => e.type === 'access_removal_started');
    const removed = events.filter(e => e.type === 'access_removed');
    const failed = events.filter(e => e.type === 'access_removal_failed');
    const planned = tracked.removal && request.status === 'fulfilled';
    const what = `${tracked.removal ?? 'no'} removal of ${tracked.id} (${
      tracked.appId
    }, ${tracked.requester})`;
    const grantId =
      started[0]?.data?.grantId ??
      held.get(tracked.id)?.id ??
      tracked.grant?.id;
    if (planned) {
      if (started.length !== 1 || removed.length !== 1 || failed.length)
        breaches.push(
          `${what}: ${started.length} removal(s) started, ${removed.length} removed, ${failed.length} failed; expected 1, 1, 0`,
        );
      const cause = started[0]?.data?.cause;
      if (started.length && cause !== CAUSES[tracked.removal])
        breaches.push(
          `${what}: removal cause ${cause}, expected ${
            CAUSES[tracked.removal]
          }`,
        );
      if (held.has(tracked.id))
        breaches.push(
          `${what}: grant ${held.get(tracked.id).id} still ${
            held.get(tracked.id).status
          }`,
        );
    } else {
      if (started.length || removed.length)
        breaches.push(
          `${what}: ${started.length} removal(s) started, ${removed.length} removed, none planned`,
        );
      if (
        request.status === 'fulfilled' &&
        held.get(tracked.id)?.status !== 'active'
      )
        breaches.push(
          `${what}: the grant of a fulfilled request is ${
            held.get(tracked.id)?.status ?? 'not held'
          }, expected active`,
        );
    }
    const app = appsById.get(tracked.appId);
    if (app.path === 'okta-group' && request.status === 'fulfilled') {
      const user = vendors.okta.findUser(`${tracked.requester}@acme.example`);
      const n = oktaRemovals.get(`${app.oktaGroupId} ${user?.id}`) ?? 0;
      if (n !== (planned ? 1 : 0))
        breaches.push(
          `okta: ${tracked.requester} deleted from ${app.oktaGroupId} ${n} time(s) (${what})`,
        );
    }
    if (grantId && app.path === 'ticket') {
      const n = removalTickets.get(`app-access-removal-${grantId}`) ?? 0;
      // An emailed ticket's removal is IT's task in the portal (no ticket).
      const want = planned && ticketing !== 'email' ? 1 : 0;
      if (n !== want)
        breaches.push(
          `${n} removal ticket(s) for grant ${grantId} (${what}), expected ${want}`,
        );
    }
  }
  return breaches;
}

/**
 * A request filed on someone's behalf names both, and was decided by the
 * grantee's approvers: never by the person who filed it nor the grantee.
 */
export function checkOnBehalf(details) {
  const breaches = [];
  for (const { tracked, request } of details) {
    if (!tracked.filer) continue;
    const filer = `user:default/${tracked.filer}`;
    const grantee = `user:default/${tracked.requester}`;
    const short = ref => String(ref).replace(/^user:default\//, '');
    if (request.requester !== filer || request.grantee !== grantee)
      breaches.push(
        `on-behalf request ${tracked.id}: requester ${request.requester}, grantee ${request.grantee}; filed by ${filer} for ${grantee}`,
      );
    for (const task of request.approvals ?? []) {
      if (
        task.decidedBy &&
        [tracked.filer, tracked.requester].includes(short(task.decidedBy))
      )
        breaches.push(
          `on-behalf request ${tracked.id}: level ${task.level} ${task.status} by ${task.decidedBy}, who filed it or gets it`,
        );
    }
  }
  return breaches;
}
