// The work the replicas drain while faults happen: requests submitted by the
// example org's engineers, decided by their manager (over the API, or by
// clicking Approve in the Slack DM, signed as Slack signs it), and completed
// by IT (the Jira / Zendesk ticket resolved in the fake, or marked fulfilled).
import { createRequire } from 'node:module';
import { approvalMailRequest } from './checks.mjs';
import { ADMIN, APPROVER, L2_APPROVER, REQUESTERS } from './deployment.mjs';
import { repoRoot } from './paths.mjs';
import { SLACK_SIGNING_SECRET, slackIdOf } from './vendors.mjs';

const require = createRequire(`${repoRoot}/package.json`);
const {
  buttonClick,
  signInteraction,
} = require('./plugins/app-access-backend-module-slack/src/__testUtils__/slackInteractions.ts');

const TERMINAL = new Set(['fulfilled', 'denied', 'cancelled', 'failed']);
/** How long an approver waits for a Slack DM or an email before deciding in the portal. */
const MESSAGE_PATIENCE_MS = 30_000;
/**
 * Decisions (and IT's completions) in flight at once, over both approvers:
 * a person deciding one task at a time is the runner's pace, not the
 * product's, and on a busy machine every call takes seconds.
 */
export const DECISION_CONCURRENCY = 24;
/** Every n-th (grantee, app) pair is filed by another requester on the grantee's behalf. */
const ON_BEHALF_EVERY = 7;
/** Every n-th request that will be granted is time-bound and its access removed mid-run. */
const REMOVAL_EVERY = 4;
/** How a planned removal happens: the expiry pass, the holder, an admin. */
const REMOVAL_WAYS = ['expire', 'holder', 'admin'];

/** A bounded pool: `run(fn)` waits for a free slot, then starts `fn` without waiting for it. */
export class Pool {
  constructor(limit) {
    this.limit = limit;
    this.running = new Set();
  }

  async run(fn) {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const p = Promise.resolve()
      .then(fn)
      .finally(() => this.running.delete(p));
    this.running.add(p);
    return undefined;
  }

  async drain() {
    await Promise.allSettled([...this.running]);
  }
}

const userRef = user => `user:default/${user}`;

export class Workload {
  constructor({ client, vendors, apps, ticketing, log }) {
    this.client = client;
    this.vendors = vendors;
    this.apps = new Map(apps.map(a => [a.id, a]));
    this.ticketing = ticketing;
    this.log = log;
    /** requestId → { id, appId, requester, submittedAt, status, decidedVia } */
    this.requests = new Map();
    this.unexpected = [];
    /** Requests whose approver gave up waiting for the DM / email. */
    this.decidedWithoutMessage = [];
    /** Submissions whose answer was lost; the retry found the request. */
    this.lostAnswers = 0;
    /** Email links refused (410 used, 404 revoked) while their task still waited. */
    this.linksRefused = 0;
    /** The approvers' and IT's calls in flight (see DECISION_CONCURRENCY). */
    this.pool = new Pool(DECISION_CONCURRENCY);
    /** Runs SQL on the run's database (moves a grant's end into the past). */
    this.query = undefined;
  }

  /**
   * Every (requester, app) pair once, interleaved so paths and people mix,
   * each with the outcome its approvers will choose: `approve` (one level),
   * `deny1` (denied at level 1), `approve2` (both levels approve) or `deny2`
   * (level 1 approves, level 2 denies).
   */
  plan(count) {
    const pairs = [];
    const apps = [...this.apps.values()];
    let oneLevel = 0;
    let twoLevels = 0;
    let removals = 0;
    const outcomeOf = app => {
      if (app.channel === 'none') return 'approve';
      if (app.levels === 2)
        return ['approve2', 'deny2', 'approve2', 'deny1'][twoLevels++ % 4];
      return oneLevel++ % 8 === 5 ? 'deny1' : 'approve';
    };
    for (let i = 0; pairs.length < count; i++) {
      const app = apps[i % apps.length];
      const requester =
        REQUESTERS[Math.floor(i / apps.length) % REQUESTERS.length];
      if (i >= apps.length * REQUESTERS.length)
        throw new Error(
          `only ${
            apps.length * REQUESTERS.length
          } distinct requests fit the seed`,
        );
      const outcome = outcomeOf(app);
      const item = { app, requester, outcome };
      // Filed by the next requester for this one: the grantee's approvers
      // decide, never the filer nor the grantee.
      if (i % ON_BEHALF_EVERY === 3)
        item.filer =
          REQUESTERS[(REQUESTERS.indexOf(requester) + 1) % REQUESTERS.length];
      // Granted for a day, then removed while the faults go on: by the
      // expiry pass (its end moved into the past), by the holder, or by an
      // admin; each removal reaches the vendor once.
      if (!outcome.startsWith('deny') && i % REMOVAL_EVERY === 1)
        item.removal = REMOVAL_WAYS[removals++ % REMOVAL_WAYS.length];
      pairs.push(item);
    }
    return pairs;
  }

  async submit({ app, requester, outcome, filer, removal }) {
    const res = await this.client.api(filer ?? requester, 'POST', '/requests', {
      appId: app.id,
      tierId: 'std',
      justification: `fault suite: ${app.path} over ${app.channel}`,
      ...(filer ? { onBehalfOf: userRef(requester) } : {}),
      ...(removal ? { durationDays: 1 } : {}),
    });
    // A retry after a lost answer (the replica died, or the database went
    // away, after the commit): the earlier try made it, and it is the only
    // request for this pair, so it is ours.
    const earlier =
      res.status === 409 &&
      /(?:You|\S+) already (?:have|has) an open request ([0-9a-f-]{36})/.exec(
        res.body?.error?.message ?? '',
      )?.[1];
    if (earlier) {
      this.lostAnswers += 1;
      res.body = { id: earlier, status: 'submitted' };
    } else if (res.status !== 201) {
      this.unexpected.push(
        `submit ${app.id} as ${filer ?? requester}${
          filer ? ` for ${requester}` : ''
        }: HTTP ${res.status} ${JSON.stringify(res.body)}`,
      );
      return;
    }
    this.requests.set(res.body.id, {
      id: res.body.id,
      appId: app.id,
      app,
      /** The grantee: who gets the access (the filer's colleague when filed on behalf). */
      requester,
      filer,
      removal,
      outcome,
      /** Levels this runner saw decided (a listed task of one is stale). */
      decidedLevels: new Set(),
      submittedAt: Date.now(),
      status: res.body.status,
    });
  }

  /**
   * One round of an approver: decide what waits. Level 1 (sam.manager)
   * approves via Slack or email when the app asks there, and denies in the
   * portal; level 2 (victor.vance) decides in the portal.
   */
  async approveRound(approver) {
    const res = await this.client.api(approver, 'GET', '/approvals?limit=200');
    if (res.status !== 200) return;
    // Many at once (bounded): each decision goes to whichever replica is
    // up, through the same channel as before.
    for (const task of res.body.items) {
      const tracked = this.requests.get(task.requestId);
      const decided = () => tracked?.decidedLevels.has(task.level);
      if (!tracked || tracked.deciding || decided()) continue;
      tracked.deciding = true;
      await this.pool.run(async () => {
        try {
          // Listed before an earlier decision of this level came back (the
          // pool was full): the request has moved on, and a decision over
          // the API now would land on the next level. (Only API decisions
          // count: a Slack click or an email link names its task, and their
          // 200 does not say the decision was made: a click whose user
          // lookup failed is answered 200 with an ephemeral error.)
          if (decided()) return;
          tracked.level = task.level;
          if (approver === L2_APPROVER)
            await this.decideInPortal(
              tracked,
              L2_APPROVER,
              tracked.outcome === 'deny2' ? 'deny' : 'approve',
            );
          else if (tracked.outcome === 'deny1')
            await this.decideInPortal(tracked, APPROVER, 'deny');
          else await this.decide(tracked);
        } catch (e) {
          this.log(`deciding ${tracked.id}: ${e.message}`);
        } finally {
          tracked.deciding = false;
        }
      });
    }
  }

  async decideInPortal(tracked, approver, decision) {
    const res = await this.client.api(
      approver,
      'POST',
      `/requests/${tracked.id}/decisions`,
      decision === 'deny'
        ? { decision, comment: 'denied by the fault suite' }
        : { decision },
    );
    // 409: decided already (an earlier call whose answer was lost).
    if (res.status === 200 || res.status === 409)
      tracked.decidedLevels.add(tracked.level);
    if (res.status !== 200 && res.status !== 409) {
      this.unexpected.push(
        `${decision} ${tracked.id} as ${approver}: HTTP ${
          res.status
        } ${JSON.stringify(res.body)}`,
      );
    }
  }

  async decide(tracked) {
    if (tracked.app.channel === 'slack') {
      const dm = this.slackDmFor(tracked.id);
      if (dm) {
        await this.clickApprove(tracked, dm);
        return;
      }
      if (Date.now() - tracked.submittedAt < MESSAGE_PATIENCE_MS) return;
    }
    if (tracked.app.channel === 'email') {
      const link = this.approveLinkFor(tracked.id);
      if (link) {
        await this.followApproveLink(tracked, link);
        return;
      }
      if (Date.now() - tracked.submittedAt < MESSAGE_PATIENCE_MS) return;
    }
    if (tracked.app.channel === 'slack' || tracked.app.channel === 'email')
      this.decidedWithoutMessage.push(tracked.id);
    const res = await this.client.api(
      APPROVER,
      'POST',
      `/requests/${tracked.id}/decisions`,
      { decision: 'approve' },
    );
    tracked.decidedVia = 'api';
    // 409: another replica (or an earlier click) decided it first.
    if (res.status === 200 || res.status === 409)
      tracked.decidedLevels.add(tracked.level);
    if (res.status !== 200 && res.status !== 409) {
      this.unexpected.push(
        `approve ${tracked.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  }

  slackDmFor(requestId) {
    return this.vendors.slack
      .dmsTo(slackIdOf(APPROVER))
      .find(m => JSON.stringify(m.blocks ?? []).includes(requestId));
  }

  /** The path of the Approve link in the approval email about this request. */
  approveLinkFor(requestId) {
    // The latest: a resent email carries new links.
    const mail = this.vendors.smtp
      .to(`${APPROVER}@acme.example`)
      .filter(m => approvalMailRequest(m) === requestId)
      .at(-1);
    const match =
      /^Approve: https?:\/\/[^/]+\/api\/app-access(\/actions\/\S+)$/m.exec(
        mail?.parsed.text ?? '',
      );
    return match?.[1];
  }

  /** Opens the link and confirms, on whichever replica is up (any can decide). */
  async followApproveLink(tracked, path) {
    const replica = this.client.pick();
    if (!replica) return;
    try {
      const res = await this.client.raw(
        replica,
        undefined,
        'POST',
        path,
        'comment=',
        { 'Content-Type': 'application/x-www-form-urlencoded' },
      );
      // The database was down: the next round follows the link again.
      if (res.outage) return;
      // 410 "already used" while the task still waits: a click whose
      // decision was lost with a replica or the database; the links work
      // again once that claim is stale (a minute). The final-state check
      // catches a request that stays stuck.
      // 404: the links of a copy whose send the notifier saw fail (the
      // answer was lost) were revoked; the resend carries new ones.
      if (res.status === 410 || res.status === 404) {
        this.linksRefused += 1;
        return;
      }
      tracked.decidedVia = 'email';
      if (res.status !== 200) {
        this.unexpected.push(
          `email approve link of ${tracked.id}: HTTP ${res.status}`,
        );
      }
    } catch {
      // The replica went down under the click; the next round follows it again.
    }
  }

  async clickApprove(tracked, message) {
    const signed = signInteraction(
      SLACK_SIGNING_SECRET,
      buttonClick({
        slackUserId: slackIdOf(APPROVER),
        message,
        actionId: 'app_access_approve',
      }),
    );
    const replica = this.client.pick();
    if (!replica) return;
    try {
      const res = await this.client.raw(
        replica,
        undefined,
        'POST',
        '/slack/interactions',
        signed.body,
        signed.headers,
      );
      if (res.outage) return;
      tracked.decidedVia = 'slack';
      if (res.status !== 200) {
        this.unexpected.push(
          `slack click on ${tracked.id}: HTTP ${res.status}`,
        );
      }
    } catch {
      // The replica went down under the click; the next round clicks again.
    }
  }

  /**
   * IT's part: resolve the ticket in the fake, or mark a manual request
   * fulfilled; and the planned removals (start them, then do IT's part of
   * a removal). Many at once, bounded like the approvers.
   */
  async completeRound() {
    for (const tracked of this.requests.values()) {
      if (tracked.status !== 'awaiting_it' || tracked.completing) continue;
      // An emailed ticket has no follower: IT marks it done in the portal.
      const byHand =
        tracked.app.path === 'manual' ||
        (tracked.app.path === 'ticket' && this.ticketing === 'email');
      if (byHand) {
        tracked.completing = true;
        await this.pool.run(async () => {
          const res = await this.client.api(
            ADMIN,
            'POST',
            `/admin/requests/${tracked.id}/mark-fulfilled`,
            { note: 'done by the fault suite' },
          );
          if (res.status !== 200 && res.status !== 409) {
            tracked.completing = false;
            this.unexpected.push(
              `mark-fulfilled ${tracked.id}: HTTP ${
                res.status
              } ${JSON.stringify(res.body)}`,
            );
          }
        });
      } else if (tracked.app.path === 'ticket') {
        tracked.completing = this.resolveTicket(tracked.id);
      }
    }
    await this.removalRound();
  }

  /** Requests granted with a planned removal that has not finished. */
  get pendingRemovals() {
    return [...this.requests.values()].filter(
      r =>
        r.removal && r.status === 'fulfilled' && r.grant?.status !== 'removed',
    );
  }

  /** Reads the grants of the planned removals (as each holder), then moves each one on. */
  async removalRound() {
    const pending = this.pendingRemovals;
    for (const grantee of new Set(pending.map(r => r.requester))) {
      const res = await this.client.api(grantee, 'GET', '/me/access');
      if (res.status !== 200) continue;
      const held = new Set();
      for (const grant of res.body.items ?? []) {
        const tracked = this.requests.get(grant.requestId);
        held.add(grant.requestId);
        if (tracked?.removal) tracked.grant = grant;
      }
      // My access lists held grants only (active, removing, removal
      // failed): one seen before and gone now was removed. The checks
      // confirm it from the request's timeline.
      for (const tracked of pending)
        if (
          tracked.requester === grantee &&
          tracked.grant &&
          !held.has(tracked.id)
        )
          tracked.grant = { ...tracked.grant, status: 'removed' };
    }
    for (const tracked of pending) {
      if (!tracked.grant || tracked.removalBusy) continue;
      tracked.removalBusy = true;
      await this.pool.run(async () => {
        try {
          await this.removalStep(tracked);
        } catch (e) {
          this.log(`removal of ${tracked.grant.id}: ${e.message}`);
        } finally {
          tracked.removalBusy = false;
        }
      });
    }
  }

  async removalStep(tracked) {
    const grant = tracked.grant;
    if (grant.status === 'active' && !tracked.removalStarted) {
      if (tracked.removal === 'expire') {
        // The expiry pass reads the clock; the run cannot wait a day, so
        // the grant's end moves into the past and the next pass (every 6 s,
        // on whichever replica wins the task) removes it.
        await this.query(
          `UPDATE "app-access".access_grants SET ends_at = $1
            WHERE id = $2 AND status = 'active'`,
          [new Date(Date.now() - 60_000).toISOString(), grant.id],
        );
        tracked.removalStarted = Date.now();
        return;
      }
      const res =
        tracked.removal === 'holder'
          ? await this.client.api(
              tracked.requester,
              'POST',
              `/grants/${grant.id}/remove`,
            )
          : await this.client.api(
              ADMIN,
              'POST',
              `/admin/grants/${grant.id}/revoke`,
              { reason: 'revoked by the fault suite' },
            );
      // 409: an earlier call whose answer was lost moved it already.
      if (res.status === 200 || res.status === 409)
        tracked.removalStarted = Date.now();
      else
        this.unexpected.push(
          `${tracked.removal} removal of grant ${grant.id} (${
            tracked.id
          }): HTTP ${res.status} ${JSON.stringify(res.body)}`,
        );
      return;
    }
    if (grant.status !== 'removing' || tracked.removalDone) return;
    // IT's part of a removal: the ticket resolved in the fake, or the
    // access marked removed by hand. An Okta group needs nothing.
    const by = grant.fulfilledBy;
    if (by === 'jira' || by === 'zendesk') {
      tracked.removalDone = this.resolveRemovalTicket(by, grant.id);
    } else if (by === 'manual' || by === 'email') {
      const res = await this.client.api(
        ADMIN,
        'POST',
        `/admin/grants/${grant.id}/mark-removed`,
        { note: 'removed by the fault suite' },
      );
      // 409 while the revoke job has not yet handed it to IT: next round.
      if (res.status === 200) tracked.removalDone = true;
      else if (res.status !== 409)
        this.unexpected.push(
          `mark-removed ${grant.id}: HTTP ${res.status} ${JSON.stringify(
            res.body,
          )}`,
        );
    }
  }

  resolveRemovalTicket(system, grantId) {
    const key = `app-access-removal-${grantId}`;
    if (system === 'jira') {
      const issue = this.vendors.jira.issues.find(i => i.labels.includes(key));
      if (!issue) return false;
      this.vendors.jira.transition(issue.key, {
        category: 'done',
        resolution: 'Done',
      });
      return true;
    }
    const ticket = this.vendors.zendesk.tickets.find(
      t => t.external_id === key,
    );
    if (!ticket) return false;
    this.vendors.zendesk.update(ticket.id, { status: 'solved' });
    return true;
  }

  resolveTicket(requestId) {
    const label = `app-access-${requestId}`;
    if (this.ticketing === 'jira') {
      const issue = this.vendors.jira.issues.find(i =>
        i.labels.includes(label),
      );
      if (!issue) return false;
      this.vendors.jira.transition(issue.key, {
        category: 'done',
        resolution: 'Done',
      });
      return true;
    }
    if (this.ticketing === 'zendesk') {
      // The Zendesk fulfiller's external_id is the bare request id.
      const ticket = this.vendors.zendesk.tickets.find(
        t => t.external_id === requestId,
      );
      if (!ticket) return false;
      this.vendors.zendesk.update(ticket.id, { status: 'solved' });
      return true;
    }
    return false;
  }

  /**
   * Reads every request's status (as the admin, who may read all): a few
   * pages of the list, not one call per request.
   */
  async refresh() {
    let cursor;
    do {
      const res = await this.client.api(
        ADMIN,
        'GET',
        `/admin/requests?limit=200${
          cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
        }`,
      );
      if (res.status !== 200) return;
      for (const item of res.body.items ?? []) {
        const tracked = this.requests.get(item.id);
        if (tracked) tracked.status = item.status;
      }
      cursor = res.body.nextCursor;
    } while (cursor);
  }

  /** Requests not yet final, and granted access whose planned removal has not finished. */
  get open() {
    const removals = new Set(this.pendingRemovals);
    return [...this.requests.values()].filter(
      r => !TERMINAL.has(r.status) || removals.has(r),
    );
  }
}
