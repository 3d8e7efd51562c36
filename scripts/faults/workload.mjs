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
      pairs.push({ app, requester, outcome: outcomeOf(app) });
    }
    return pairs;
  }

  async submit({ app, requester, outcome }) {
    const res = await this.client.api(requester, 'POST', '/requests', {
      appId: app.id,
      tierId: 'std',
      justification: `fault suite: ${app.path} over ${app.channel}`,
    });
    // A retry after a lost answer (the replica died, or the database went
    // away, after the commit): the earlier try made it, and it is the only
    // request for this pair, so it is ours.
    const earlier =
      res.status === 409 &&
      /You already have an open request ([0-9a-f-]{36})/.exec(
        res.body?.error?.message ?? '',
      )?.[1];
    if (earlier) {
      this.lostAnswers += 1;
      res.body = { id: earlier, status: 'submitted' };
    } else if (res.status !== 201) {
      this.unexpected.push(
        `submit ${app.id} as ${requester}: HTTP ${res.status} ${JSON.stringify(
          res.body,
        )}`,
      );
      return;
    }
    this.requests.set(res.body.id, {
      id: res.body.id,
      appId: app.id,
      app,
      requester,
      outcome,
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
    for (const task of res.body.items) {
      const tracked = this.requests.get(task.requestId);
      if (!tracked || tracked.deciding) continue;
      tracked.deciding = true;
      try {
        if (approver === L2_APPROVER)
          await this.decideInPortal(
            tracked,
            L2_APPROVER,
            tracked.outcome === 'deny2' ? 'deny' : 'approve',
          );
        else if (tracked.outcome === 'deny1')
          await this.decideInPortal(tracked, APPROVER, 'deny');
        else await this.decide(tracked);
      } finally {
        tracked.deciding = false;
      }
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

  /** IT's part: resolve the ticket in the fake, or mark a manual request fulfilled. */
  async completeRound() {
    for (const tracked of this.requests.values()) {
      if (tracked.status !== 'awaiting_it' || tracked.completing) continue;
      // An emailed ticket has no follower: IT marks it done in the portal.
      const byHand =
        tracked.app.path === 'manual' ||
        (tracked.app.path === 'ticket' && this.ticketing === 'email');
      if (byHand) {
        tracked.completing = true;
        const res = await this.client.api(
          ADMIN,
          'POST',
          `/admin/requests/${tracked.id}/mark-fulfilled`,
          { note: 'done by the fault suite' },
        );
        if (res.status !== 200 && res.status !== 409) {
          tracked.completing = false;
          this.unexpected.push(
            `mark-fulfilled ${tracked.id}: HTTP ${res.status} ${JSON.stringify(
              res.body,
            )}`,
          );
        }
      } else if (tracked.app.path === 'ticket') {
        tracked.completing = this.resolveTicket(tracked.id);
      }
    }
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

  /** Reads every request's status (as the admin, who may read all). */
  async refresh() {
    for (const tracked of this.requests.values()) {
      if (TERMINAL.has(tracked.status)) continue;
      const res = await this.client.api(
        ADMIN,
        'GET',
        `/admin/requests/${tracked.id}`,
      );
      if (res.status === 200) tracked.status = res.body.status;
    }
  }

  get open() {
    return [...this.requests.values()].filter(r => !TERMINAL.has(r.status));
  }
}
