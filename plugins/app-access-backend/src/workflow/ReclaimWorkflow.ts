import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ReclaimCampaign,
  ReclaimCampaignCounts,
  ReclaimPreview,
  ReclaimQuestion,
  ReclaimQuestionStatus,
} from '@app-access/plugin-app-access-common';
import { AppAccessReclaimAsk } from '@app-access/plugin-app-access-node';
import { AppStore } from '../database/AppStore';
import { AuditEventStore } from '../database/AuditEventStore';
import { GrantStore } from '../database/GrantStore';
import {
  CampaignRow,
  MatchRow,
  QuestionRow,
  ReclaimStore,
} from '../database/ReclaimStore';
import { nowIso } from '../database/json';
import { GrantWriter } from './GrantWriter';
import { Caller, SYSTEM_ACTOR } from './RequestWorkflow';
import { Transition, TransitionWriter } from './TransitionWriter';

const DAY_MS = 86_400_000;

/** Days before the deadline a reminder goes out, the earliest first. */
export const DEFAULT_REMINDER_DAYS = [3, 1];

const ANSWERED_STATUS: Record<'keep' | 'release', ReclaimQuestionStatus[]> = {
  keep: ['kept'],
  release: ['released', 'removed', 'failed'],
};

const CLOSED_WHY: Record<string, string> = {
  kept: 'It was already answered: keep it',
  released: 'It was already answered: give it back',
  removed: 'It was already answered: give it back',
  failed: 'It was already answered: give it back',
  expired: 'The deadline passed without an answer',
  cancelled: 'The campaign was cancelled',
  skipped: 'This access already ended',
};

function questionView(row: QuestionRow): ReclaimQuestion {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    grantId: row.grant_id,
    holder: row.holder,
    ...(row.holder_name ? { holderName: row.holder_name } : {}),
    appId: row.app_id,
    tierId: row.tier_id,
    tierName: row.tier_name,
    ...(row.last_sign_in_at ? { lastSignInAt: row.last_sign_in_at } : {}),
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.answered_at ? { answeredAt: row.answered_at } : {}),
    ...(row.answered_via ? { answeredVia: row.answered_via } : {}),
    askedAt: row.asked_at,
    deadlineAt: row.deadline_at,
    reminders: Number(row.reminders),
  };
}

/**
 * Reclamation campaigns: unused access offered back. Every step is one
 * transaction with its audit event and outbox notices; removals go through
 * the existing removal path (GrantWriter.startRemoval → the revoke job →
 * the fulfiller), so they are exactly-once and checkpointed like any other.
 *
 * Fences: a question moves out of `asked` only with `where status =
 * 'asked'`, and every move that can start a removal (an answer, the
 * deadline) first updates its campaign row under `status in (running,
 * closing)`. A cancel moves the campaign row first, so on PostgreSQL the
 * two serialise on that row: whichever commits first wins, and nothing is
 * removed after a cancel committed. SQLite serialises writers anyway.
 */
export class ReclaimWorkflow {
  constructor(
    private readonly deps: {
      db: Knex;
      apps: AppStore;
      grants: GrantStore;
      reclaims: ReclaimStore;
      events: AuditEventStore;
      writer: TransitionWriter;
      grantFlow: GrantWriter;
      onEnqueued?: () => void;
      /** Campaign progress changed (live update of the admin pages). */
      onProgress?: (campaignId: string) => void;
    },
  ) {}

  private async appAndTier(appId: string, tierId?: string) {
    const app = await this.deps.apps.get(appId);
    if (!app) throw new InputError(`appId: no app '${appId}'`);
    const tier = tierId ? app.tiers.find(t => t.id === tierId) : undefined;
    if (tierId && !tier) {
      throw new InputError(`tierId: ${app.name} has no tier '${tierId}'`);
    }
    return { app, tier };
  }

  private cutoff(now: Date, inactiveDays: number) {
    return nowIso(new Date(now.getTime() - inactiveDays * DAY_MS));
  }

  /** Exactly who a campaign with this rule would ask now. */
  async preview(
    q: { appId: string; tierId?: string; inactiveDays: number; limit?: number },
    now: Date = new Date(),
  ): Promise<ReclaimPreview> {
    const { app } = await this.appAndTier(q.appId, q.tierId);
    const base = {
      appId: app.id,
      ...(q.tierId ? { tierId: q.tierId } : {}),
      inactiveDays: q.inactiveDays,
    };
    if (!(await this.deps.reclaims.signInsTracked(app.id))) {
      return { ...base, signInsTracked: false, total: 0, items: [] };
    }
    const cutoff = this.cutoff(now, q.inactiveDays);
    const [items, counts] = await Promise.all([
      this.deps.reclaims.matches({
        appId: app.id,
        tierId: q.tierId,
        cutoff,
        limit: q.limit ?? 50,
      }),
      this.deps.reclaims.countMatches({
        appId: app.id,
        tierId: q.tierId,
        cutoff,
      }),
    ]);
    const saving = await this.saving(app.id, q.tierId, cutoff);
    return {
      ...base,
      signInsTracked: true,
      total: counts.free,
      alreadyAsked: counts.alreadyAsked,
      items: items.map(m => ({
        grantId: m.grantId,
        holder: m.holder,
        ...(m.holderName ? { holderName: m.holderName } : {}),
        tierId: m.tierId,
        tierName: m.tierName,
        grantedAt: m.grantedAt,
        ...(m.lastSignInAt ? { lastSignInAt: m.lastSignInAt } : {}),
      })),
      ...saving,
    };
  }

  /** What the matching seats cost a month (per tier counts × price). */
  private async saving(
    appId: string,
    tierId: string | undefined,
    cutoff: string,
  ) {
    const prices = await this.deps.reclaims.tierPrices(appId);
    if (!prices.size || (tierId && !prices.has(tierId))) {
      return { monthlySaving: null };
    }
    const perTier: any[] = await this.deps.reclaims
      .matchQuery({ appId, tierId, cutoff, open: false })
      .groupBy('g.tier_id')
      .select('g.tier_id')
      .count({ n: '*' });
    let cents = 0;
    let currency: string | undefined;
    for (const r of perTier) {
      const price = prices.get(r.tier_id);
      if (!price) continue;
      cents += price.cents * Number(r.n);
      currency = price.currency;
    }
    currency ??= [...prices.values()][0]?.currency;
    return { monthlySaving: cents / 100, ...(currency ? { currency } : {}) };
  }

  /**
   * Starts a campaign: in one transaction the campaign, one question per
   * matching holder (in batches) and one `reclaim_question` notice each,
   * and the audit event. 400 when sign-ins are unknown for the app, 409
   * when nobody matches.
   */
  async start(
    caller: Caller,
    body: {
      appId: string;
      tierId?: string;
      inactiveDays: number;
      answerDays: number;
      message?: string;
      grantIds?: string[];
    },
    now: Date = new Date(),
    options: { source?: 'admin' | 'policy'; keptSince?: string } = {},
  ): Promise<ReclaimCampaign> {
    const { app, tier } = await this.appAndTier(body.appId, body.tierId);
    if (!(await this.deps.reclaims.signInsTracked(app.id))) {
      throw new InputError(
        `appId: sign-ins to ${app.name} are not known (no sign-in was ever recorded for it, e.g. appAccess.okta.sync.lastUsed is off), so nobody can be asked on a guess`,
      );
    }
    const message = body.message?.trim() || undefined;
    const cutoff = this.cutoff(now, body.inactiveDays);
    const at = nowIso(now);
    const deadlineAt = nowIso(
      new Date(now.getTime() + body.answerDays * DAY_MS),
    );
    const id = randomUUID();
    const routes = await this.deps.writer.route(this.deps.db, 'holder', [
      app.id,
    ]);
    const created = await this.deps.db.transaction(async tx => {
      const grantIds = body.grantIds ? [...new Set(body.grantIds)] : undefined;
      const matches: MatchRow[] = [];
      // A long list of grant ids is looked up in slices (bind limits).
      const slices = grantIds
        ? Array.from({ length: Math.ceil(grantIds.length / 500) }, (_, i) =>
            grantIds.slice(i * 500, i * 500 + 500),
          )
        : [undefined];
      for (const slice of slices) {
        matches.push(
          ...(await this.deps.reclaims.matches(
            {
              appId: app.id,
              tierId: body.tierId,
              cutoff,
              grantIds: slice,
              keptSince: options.keptSince,
            },
            tx,
          )),
        );
      }
      if (!matches.length) return undefined;
      const row: CampaignRow = {
        id,
        app_id: app.id,
        app_name: app.name,
        tier_id: tier?.id ?? null,
        tier_name: tier?.name ?? null,
        inactive_days: body.inactiveDays,
        deadline_at: deadlineAt,
        message: message ?? null,
        status: 'running',
        source: options.source ?? 'admin',
        created_by: caller.userRef,
        created_at: at,
        ended_at: null,
        cancelled_by: null,
        updated_at: at,
      };
      await this.deps.reclaims.insertCampaign(row, tx);
      const size = this.deps.reclaims.batchSize;
      for (let i = 0; i < matches.length; i += size) {
        const batch = matches.slice(i, i + size);
        const questions: QuestionRow[] = batch.map(m => ({
          id: randomUUID(),
          campaign_id: id,
          grant_id: m.grantId,
          request_id: m.requestId,
          holder: m.holder,
          holder_name: m.holderName ?? null,
          app_id: app.id,
          tier_id: m.tierId,
          tier_name: m.tierName,
          last_sign_in_at: m.lastSignInAt ?? null,
          status: 'asked',
          open_key: m.grantId,
          reason: null,
          answered_at: null,
          answered_via: null,
          asked_at: at,
          deadline_at: deadlineAt,
          reminders: 0,
          updated_at: at,
        }));
        await this.deps.reclaims.insertQuestions(questions, tx);
        await this.deps.writer.recordMany(
          tx,
          questions.map(q => this.ask(q, row, 'reclaim_question')),
          routes,
        );
      }
      await this.deps.events.addEvent(
        {
          appId: app.id,
          actor: caller.userRef,
          type: 'reclaim_campaign_started',
          comment: `${
            options.source === 'policy' ? 'Auto-reclaim' : 'Campaign'
          }: ${matches.length} holder(s) of ${app.name}${
            tier ? ` ${tier.name}` : ''
          } without a sign-in for ${
            body.inactiveDays
          } days asked to keep it or give it back by ${deadlineAt.slice(
            0,
            10,
          )}`,
          data: {
            campaignId: id,
            questions: matches.length,
            inactiveDays: body.inactiveDays,
            deadlineAt,
            source: options.source ?? 'admin',
          },
        },
        tx,
      );
      return row;
    });
    if (!created) {
      throw new ConflictError(
        `Nobody matches: no holder of ${app.name}${
          tier ? ` ${tier.name}` : ''
        } without a sign-in for ${body.inactiveDays} days is left to ask`,
      );
    }
    this.deps.onEnqueued?.();
    return this.get(id);
  }

  /** The notice of a question (or its reminder) to its holder. */
  private ask(
    q: QuestionRow,
    campaign: Pick<CampaignRow, 'inactive_days' | 'message'>,
    kind: 'reclaim_question' | 'reclaim_reminder',
    reminderNumber?: number,
  ): Transition {
    const reclaim: AppAccessReclaimAsk = {
      questionId: q.id,
      campaignId: q.campaign_id,
      grantId: q.grant_id,
      deadlineAt: q.deadline_at,
      inactiveDays: Number(campaign.inactive_days),
      ...(q.last_sign_in_at ? { lastSignInAt: q.last_sign_in_at } : {}),
      ...(campaign.message ? { message: campaign.message } : {}),
    };
    return {
      request: { id: q.request_id, requester: q.holder, appId: q.app_id },
      notify: {
        kind,
        audience: 'holder',
        recipients: [q.holder],
        occurrence: `${q.id}:${reminderNumber ?? 0}`,
        reminderNumber,
        reclaim,
      },
    };
  }

  async get(id: string): Promise<ReclaimCampaign> {
    const row = await this.deps.reclaims.getCampaign(id);
    if (!row) throw new NotFoundError(`No campaign with id '${id}'`);
    return (await this.views([row]))[0];
  }

  async list(): Promise<ReclaimCampaign[]> {
    return this.views(await this.deps.reclaims.listCampaigns());
  }

  private async views(rows: CampaignRow[]): Promise<ReclaimCampaign[]> {
    const counts = await this.deps.reclaims.counts(rows.map(r => r.id));
    const out: ReclaimCampaign[] = [];
    for (const row of rows) {
      const c = counts.get(row.id)!;
      out.push({
        id: row.id,
        appId: row.app_id,
        appName: row.app_name,
        ...(row.tier_id ? { tierId: row.tier_id } : {}),
        ...(row.tier_name ? { tierName: row.tier_name } : {}),
        inactiveDays: Number(row.inactive_days),
        deadlineAt: row.deadline_at,
        ...(row.message ? { message: row.message } : {}),
        status: row.status,
        source: row.source,
        createdBy: row.created_by,
        createdAt: row.created_at,
        ...(row.ended_at ? { endedAt: row.ended_at } : {}),
        ...(row.cancelled_by ? { cancelledBy: row.cancelled_by } : {}),
        counts: c,
        ...(await this.campaignSaving(row, c)),
      });
    }
    return out;
  }

  /** Removed seats × their tier's price. */
  private async campaignSaving(
    row: CampaignRow,
    counts: ReclaimCampaignCounts,
  ) {
    const prices = await this.deps.reclaims.tierPrices(row.app_id);
    if (!prices.size || (row.tier_id && !prices.has(row.tier_id))) {
      return { monthlySaving: null };
    }
    let cents = 0;
    if (counts.removed) {
      for (const [tierId, n] of await this.deps.reclaims.removedPerTier(
        row.id,
      )) {
        cents += (prices.get(tierId)?.cents ?? 0) * n;
      }
    }
    const currency =
      (row.tier_id && prices.get(row.tier_id)?.currency) ||
      [...prices.values()][0].currency;
    return { monthlySaving: cents / 100, currency };
  }

  async questions(
    campaignId: string,
    opts: { status?: ReclaimQuestionStatus; limit?: number; offset?: number },
  ) {
    if (!(await this.deps.reclaims.getCampaign(campaignId))) {
      throw new NotFoundError(`No campaign with id '${campaignId}'`);
    }
    const page = await this.deps.reclaims.listQuestions(campaignId, {
      status: opts.status,
      limit: opts.limit ?? 100,
      offset: opts.offset ?? 0,
    });
    return { items: page.items.map(questionView), total: page.total };
  }

  /** Open questions of a holder, by grant id (GET /me/access). */
  async openFor(holder: string) {
    const open = await this.deps.reclaims.openForHolder(holder);
    if (!open.size) return new Map();
    const campaigns = new Map<string, CampaignRow | undefined>();
    const out = new Map<
      string,
      {
        questionId: string;
        campaignId: string;
        deadlineAt: string;
        inactiveDays: number;
        lastSignInAt?: string;
        message?: string;
      }
    >();
    for (const [grantId, q] of open) {
      if (!campaigns.has(q.campaign_id)) {
        campaigns.set(
          q.campaign_id,
          await this.deps.reclaims.getCampaign(q.campaign_id),
        );
      }
      const c = campaigns.get(q.campaign_id);
      if (!c) continue;
      out.set(grantId, {
        questionId: q.id,
        campaignId: q.campaign_id,
        deadlineAt: q.deadline_at,
        inactiveDays: Number(c.inactive_days),
        ...(q.last_sign_in_at ? { lastSignInAt: q.last_sign_in_at } : {}),
        ...(c.message ? { message: c.message } : {}),
      });
    }
    return out;
  }

  /**
   * The fence of every move that may start a removal: touches the campaign
   * row only while it is running (or closing, for the deadline), so it
   * serialises with a cancel on the same row.
   */
  private async fence(
    tx: Knex,
    campaignId: string,
    statuses: Array<'running' | 'closing'>,
  ): Promise<boolean> {
    return this.deps.reclaims.moveCampaign(campaignId, statuses, {}, tx);
  }

  /**
   * The holder answers. Anyone but the holder: 404 (portal) or
   * NotAllowedError (channels, `notHolder: 'notAllowed'`).
   */
  async answer(
    input: {
      questionId: string;
      personRef: string;
      answer: 'keep' | 'release';
      reason?: string;
      channel: string;
    },
    now: Date = new Date(),
    notHolder: 'notFound' | 'notAllowed' = 'notFound',
  ): Promise<ReclaimQuestion> {
    const q = await this.deps.reclaims.getQuestion(input.questionId);
    if (!q || q.holder !== input.personRef) {
      if (notHolder === 'notAllowed' && q) {
        throw new NotAllowedError('Only the holder of this access answers');
      }
      throw new NotFoundError(`No question with id '${input.questionId}'`);
    }
    const reason = input.reason?.trim() || undefined;
    if (input.answer === 'keep' && !reason) {
      throw new InputError('reason: required to keep the access');
    }
    // The same answer again changes nothing.
    if (ANSWERED_STATUS[input.answer].includes(q.status))
      return questionView(q);
    const refuse = (status: string) =>
      new ConflictError(CLOSED_WHY[status] ?? `This question is ${status}`);
    if (q.status !== 'asked') throw refuse(q.status);
    const at = nowIso(now);
    if (q.deadline_at <= at) throw refuse('expired');
    const campaign = await this.deps.reclaims.getCampaign(q.campaign_id);
    const result = await this.deps.db.transaction(async tx => {
      if (!(await this.fence(tx, q.campaign_id, ['running']))) {
        return 'campaign' as const;
      }
      const moved = await this.deps.reclaims.moveQuestion(
        q.id,
        ['asked'],
        {
          status: input.answer === 'keep' ? 'kept' : 'released',
          open_key: null,
          reason: reason ?? null,
          answered_at: at,
          answered_via: input.channel,
        },
        tx,
        { deadlineAfter: at },
      );
      if (!moved) return 'moved' as const;
      const subject = {
        id: q.request_id,
        requester: q.holder,
        appId: q.app_id,
      };
      await this.deps.writer.record(tx, {
        request: subject,
        event: {
          appId: q.app_id,
          actor: input.personRef,
          type: 'reclaim_answered',
          comment:
            input.answer === 'keep'
              ? `Keeps it: ${reason}`
              : `Gives it back (${campaign?.app_name ?? q.app_id} campaign)`,
          data: {
            campaignId: q.campaign_id,
            questionId: q.id,
            grantId: q.grant_id,
            answer: input.answer,
            channel: input.channel,
          },
        },
      });
      if (input.answer === 'release') {
        await this.removeFor(
          tx,
          q,
          input.personRef,
          `Given back in the ${campaign?.app_name ?? q.app_id} campaign`,
          now,
        );
      }
      return 'ok' as const;
    });
    if (result !== 'ok') {
      const current = await this.deps.reclaims.getQuestion(q.id);
      if (current && ANSWERED_STATUS[input.answer].includes(current.status)) {
        return questionView(current);
      }
      if (result === 'campaign' && current?.status === 'asked') {
        throw new ConflictError('The campaign is no longer running');
      }
      throw refuse(current?.status ?? 'gone');
    }
    this.deps.onEnqueued?.();
    this.deps.onProgress?.(q.campaign_id);
    return questionView((await this.deps.reclaims.getQuestion(q.id))!);
  }

  /**
   * Starts the removal of a released or expired question's grant through
   * the existing removal path; a grant no longer active makes it skipped.
   */
  private async removeFor(
    tx: Knex,
    q: QuestionRow,
    actor: string,
    reason: string,
    now: Date,
  ) {
    const grant = await this.deps.grants.get(q.grant_id, tx);
    const started = grant
      ? await this.deps.grantFlow.startRemoval(
          tx,
          grant,
          { actor, cause: 'reclaimed', reason },
          now,
        )
      : false;
    if (!started) {
      await tx('reclaim_questions')
        .where({ id: q.id })
        .update({ status: 'skipped', updated_at: nowIso() });
    }
  }

  /** EndCampaign: the deadline is now; the next pass expires the rest. */
  async end(caller: Caller, id: string, now: Date = new Date()) {
    const campaign = await this.deps.reclaims.getCampaign(id);
    if (!campaign) throw new NotFoundError(`No campaign with id '${id}'`);
    const at = nowIso(now);
    const ended = await this.deps.db.transaction(async tx => {
      const moved = await this.deps.reclaims.moveCampaign(
        id,
        ['running'],
        { status: 'closing', deadline_at: at, ended_at: at },
        tx,
      );
      if (!moved) return false;
      await tx('reclaim_questions')
        .where({ campaign_id: id, status: 'asked' })
        .where('deadline_at', '>', at)
        .update({ deadline_at: at, updated_at: at });
      await this.deps.events.addEvent(
        {
          appId: campaign.app_id,
          actor: caller.userRef,
          type: 'reclaim_campaign_ended',
          comment: `The ${campaign.app_name} campaign was ended early: holders who did not answer lose the access now`,
          data: { campaignId: id },
        },
        tx,
      );
      return true;
    });
    if (!ended) {
      throw new ConflictError(
        `This campaign already ended (${campaign.status})`,
      );
    }
    await this.runPass(now);
    return this.get(id);
  }

  /**
   * CancelCampaign: in one transaction the campaign (fenced on its status)
   * and every open question are cancelled, and each holder is told they
   * keep it. Removals already started finish.
   */
  async cancel(caller: Caller, id: string, now: Date = new Date()) {
    const campaign = await this.deps.reclaims.getCampaign(id);
    if (!campaign) throw new NotFoundError(`No campaign with id '${id}'`);
    const at = nowIso(now);
    const routes = await this.deps.writer.route(this.deps.db, 'holder', [
      campaign.app_id,
    ]);
    const cancelled = await this.deps.db.transaction(async tx => {
      const moved = await this.deps.reclaims.moveCampaign(
        id,
        ['running', 'closing'],
        { status: 'cancelled', ended_at: at, cancelled_by: caller.userRef },
        tx,
      );
      if (!moved) return false;
      const open: QuestionRow[] = await tx('reclaim_questions').where({
        campaign_id: id,
        status: 'asked',
      });
      const size = this.deps.reclaims.batchSize;
      for (let i = 0; i < open.length; i += size) {
        const batch = open.slice(i, i + size);
        await tx('reclaim_questions')
          .whereIn(
            'id',
            batch.map(q => q.id),
          )
          .where({ status: 'asked' })
          .update({ status: 'cancelled', open_key: null, updated_at: at });
        await this.deps.writer.recordMany(
          tx,
          batch.map(q => ({
            request: { id: q.request_id, requester: q.holder, appId: q.app_id },
            notify: {
              kind: 'access_changed',
              audience: 'holder',
              recipients: [q.holder],
              occurrence: `${q.grant_id}:reclaim-cancelled:${q.id}`,
              access: {
                grantId: q.grant_id,
                change: 'kept',
                reason: `the ${campaign.app_name} campaign was cancelled`,
              },
            },
          })),
          routes,
        );
      }
      await this.deps.events.addEvent(
        {
          appId: campaign.app_id,
          actor: caller.userRef,
          type: 'reclaim_campaign_cancelled',
          comment: `The ${campaign.app_name} campaign was cancelled: ${open.length} open question(s) withdrawn`,
          data: { campaignId: id, withdrawn: open.length },
        },
        tx,
      );
      return true;
    });
    if (!cancelled) {
      throw new ConflictError(
        `This campaign already ended (${campaign.status})`,
      );
    }
    this.deps.onEnqueued?.();
    this.deps.onProgress?.(id);
    return this.get(id);
  }

  /**
   * The scheduled pass, safe on two replicas at once: reminders (at most
   * one per step and question, fenced on the count sent), questions whose
   * grant ended another way skipped, questions past their deadline
   * expired with their removal started (each one transaction, fenced on its
   * campaign), campaigns moved running → closing → completed.
   */
  async runPass(
    now: Date = new Date(),
    reminderDays: number[] = DEFAULT_REMINDER_DAYS,
  ): Promise<{
    reminded: number;
    expired: number;
    skipped: number;
    completed: number;
  }> {
    const at = nowIso(now);
    const touched = new Set<string>();
    // Campaigns past their deadline start closing.
    for (const c of await this.deps.reclaims.pastDeadline(at)) {
      await this.deps.db.transaction(tx =>
        this.deps.reclaims.moveCampaign(
          c.id,
          ['running'],
          { status: 'closing', ended_at: at },
          tx,
        ),
      );
      touched.add(c.id);
    }
    // Grants that ended another way: nothing to ask any more.
    let skipped = 0;
    for (;;) {
      const orphans = await this.deps.reclaims.orphaned(100);
      if (!orphans.length) break;
      let n = 0;
      for (const q of orphans) {
        const moved = await this.deps.db.transaction(tx =>
          this.deps.reclaims.moveQuestion(
            q.id,
            ['asked'],
            { status: 'skipped', open_key: null },
            tx,
          ),
        );
        if (moved) {
          n++;
          touched.add(q.campaign_id);
        }
      }
      skipped += n;
      if (!n) break;
    }
    // No answer by the deadline: removal, as if given back.
    let expired = 0;
    for (;;) {
      const due = await this.deps.reclaims.due(at, 100);
      if (!due.length) break;
      let n = 0;
      for (const q of due) {
        const done = await this.deps.db.transaction(async tx => {
          if (!(await this.fence(tx, q.campaign_id, ['running', 'closing']))) {
            return false;
          }
          const moved = await this.deps.reclaims.moveQuestion(
            q.id,
            ['asked'],
            { status: 'expired', open_key: null },
            tx,
          );
          if (!moved) return false;
          const campaign = await this.deps.reclaims.getCampaign(
            q.campaign_id,
            tx,
          );
          await this.deps.writer.record(tx, {
            request: { id: q.request_id, requester: q.holder, appId: q.app_id },
            event: {
              appId: q.app_id,
              actor: SYSTEM_ACTOR,
              type: 'reclaim_expired',
              comment: `No answer by ${q.deadline_at.slice(
                0,
                10,
              )}: the access is removed`,
              data: {
                campaignId: q.campaign_id,
                questionId: q.id,
                grantId: q.grant_id,
              },
            },
          });
          await this.removeFor(
            tx,
            q,
            SYSTEM_ACTOR,
            `Not kept in the ${
              campaign?.app_name ?? q.app_id
            } campaign (no answer by ${q.deadline_at.slice(0, 10)})`,
            now,
          );
          return true;
        });
        if (done) {
          n++;
          touched.add(q.campaign_id);
        }
      }
      expired += n;
      // Questions of a cancelled campaign are not expired; stop if stuck.
      if (!n) break;
    }
    // Reminders, latest step first so a late start sends one, not all.
    let reminded = 0;
    const steps = [...reminderDays].sort((a, b) => b - a);
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = i + 1;
      const until = nowIso(new Date(now.getTime() + steps[i] * DAY_MS));
      for (;;) {
        const due = await this.deps.reclaims.dueReminder(at, until, step, 100);
        if (!due.length) break;
        let n = 0;
        for (const q of due) {
          const sent = await this.deps.db.transaction(async tx => {
            const bumped = await tx('reclaim_questions')
              .where({ id: q.id, status: 'asked', reminders: q.reminders })
              .update({ reminders: step, updated_at: at });
            if (bumped !== 1) return false;
            const campaign = await this.deps.reclaims.getCampaign(
              q.campaign_id,
              tx,
            );
            if (!campaign) return false;
            await this.deps.writer.record(
              tx,
              this.ask(q, campaign, 'reclaim_reminder', step),
            );
            return true;
          });
          if (sent) n++;
        }
        reminded += n;
        if (!n) break;
      }
    }
    // Closing campaigns whose removals all finished are completed.
    let completed = 0;
    for (const c of await this.deps.reclaims.campaignsWithout('closing', [
      'asked',
      'released',
      'expired',
    ])) {
      const moved = await this.deps.db.transaction(tx =>
        this.deps.reclaims.moveCampaign(
          c.id,
          ['closing'],
          { status: 'completed' },
          tx,
        ),
      );
      if (moved) {
        completed++;
        touched.add(c.id);
      }
    }
    if (expired || reminded) this.deps.onEnqueued?.();
    for (const id of touched) this.deps.onProgress?.(id);
    return { reminded, expired, skipped, completed };
  }

  /**
   * The daily auto-reclaim pass: per tier with a policy, a `policy`
   * campaign asking its holders who newly match (not asked now, and not
   * kept within the policy's days).
   */
  async runPolicies(now: Date = new Date()): Promise<ReclaimCampaign[]> {
    const started: ReclaimCampaign[] = [];
    for (const t of await this.deps.reclaims.tiersWithPolicy()) {
      if (!(await this.deps.reclaims.signInsTracked(t.appId))) continue;
      try {
        started.push(
          await this.start(
            { userRef: SYSTEM_ACTOR, ownershipRefs: [SYSTEM_ACTOR] },
            {
              appId: t.appId,
              tierId: t.tierId,
              inactiveDays: t.policy.inactiveDays,
              answerDays: t.policy.answerDays,
            },
            now,
            {
              source: 'policy',
              keptSince: this.cutoff(now, t.policy.inactiveDays),
            },
          ),
        );
      } catch (error) {
        // Nobody new matches: nothing to start today.
        if ((error as Error).name !== 'ConflictError') throw error;
      }
    }
    return started;
  }
}
