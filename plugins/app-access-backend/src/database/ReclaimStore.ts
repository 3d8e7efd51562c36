import { Knex } from 'knex';
import {
  ReclaimCampaignCounts,
  ReclaimCampaignStatus,
  ReclaimQuestionStatus,
} from '@app-access/plugin-app-access-common';
import { nowIso } from './json';

export type CampaignRow = {
  id: string;
  app_id: string;
  app_name: string;
  tier_id: string | null;
  tier_name: string | null;
  inactive_days: number;
  deadline_at: string;
  message: string | null;
  status: ReclaimCampaignStatus;
  source: 'admin' | 'policy';
  created_by: string;
  created_at: string;
  ended_at: string | null;
  cancelled_by: string | null;
  updated_at: string;
};

export type QuestionRow = {
  id: string;
  campaign_id: string;
  grant_id: string;
  request_id: string;
  holder: string;
  holder_name: string | null;
  app_id: string;
  tier_id: string;
  tier_name: string;
  last_sign_in_at: string | null;
  status: ReclaimQuestionStatus;
  open_key: string | null;
  reason: string | null;
  answered_at: string | null;
  answered_via: string | null;
  asked_at: string;
  deadline_at: string;
  reminders: number;
  updated_at: string;
};

/** One holder the rule matches. */
export type MatchRow = {
  grantId: string;
  requestId: string;
  holder: string;
  holderName?: string;
  tierId: string;
  tierName: string;
  grantedAt: string;
  lastSignInAt?: string;
};

/** Question statuses that still wait for an answer. */
export const OPEN_QUESTION: ReclaimQuestionStatus = 'asked';

const num = (v: unknown) => Number(v ?? 0);

/**
 * Reclamation campaigns and their questions (`reclaim_campaigns`,
 * `reclaim_questions`), and the one statement that finds unused access.
 */
export class ReclaimStore {
  constructor(private readonly db: Knex) {}

  private get isPg() {
    return String(this.db.client.config.client).includes('pg');
  }

  /** Rows per insert: SQLite's oldest bind limit is 999. */
  get batchSize(): number {
    return this.isPg ? 500 : 40;
  }

  /** Whether any sign-in was ever recorded for the app. */
  async signInsTracked(appId: string, tx: Knex = this.db): Promise<boolean> {
    const row = await tx('app_assignments')
      .where({ app_id: appId })
      .whereNotNull('last_used_at')
      .first('app_id');
    return Boolean(row);
  }

  /**
   * Active grants of the app (tier) whose holder last signed in before the
   * cut-off, or never did and has held it since before the cut-off; longest
   * unused first. One statement: the grants of the app through their index,
   * each holder's latest sign-in to the app from `app_assignments` (its
   * app index), the holder's name, and whether another campaign's question
   * is open for the grant (`open_key`). `open` picks matches with (true) or
   * without (false) an open question.
   */
  matchQuery(
    q: {
      appId: string;
      tierId?: string;
      cutoff: string;
      grantIds?: string[];
      open?: boolean;
    },
    tx: Knex = this.db,
  ) {
    const lastSignIn = tx('app_assignments')
      .where('app_id', q.appId)
      .whereNotNull('last_used_at')
      .groupBy('person_ref')
      .select('person_ref')
      .max({ last: 'last_used_at' })
      .as('s');
    let query = tx('access_grants as g')
      .leftJoin(lastSignIn, 's.person_ref', 'g.grantee')
      .leftJoin('people as p', 'p.ref', 'g.grantee')
      .leftJoin('reclaim_questions as o', 'o.open_key', 'g.id')
      .where('g.app_id', q.appId)
      .where('g.status', 'active')
      .where(w =>
        w
          .where('s.last', '<', q.cutoff)
          .orWhere(n =>
            n.whereNull('s.last').where('g.granted_at', '<=', q.cutoff),
          ),
      );
    if (q.tierId) query = query.where('g.tier_id', q.tierId);
    if (q.grantIds) query = query.whereIn('g.id', q.grantIds);
    if (q.open === true) query = query.whereNotNull('o.id');
    if (q.open === false) query = query.whereNull('o.id');
    return query;
  }

  async matches(
    q: {
      appId: string;
      tierId?: string;
      cutoff: string;
      grantIds?: string[];
      limit?: number;
      /** Leave out holders who kept it since this time. */
      keptSince?: string;
    },
    tx: Knex = this.db,
  ): Promise<MatchRow[]> {
    let query = this.matchQuery({ ...q, open: false }, tx);
    if (q.keptSince) {
      query = query.whereNotExists(
        tx('reclaim_questions as k')
          .whereRaw('k.grant_id = g.id')
          .where('k.status', 'kept')
          .where('k.answered_at', '>=', q.keptSince)
          .select(tx.raw('1')),
      );
    }
    query = query
      .select(
        'g.id',
        'g.request_id',
        'g.grantee',
        'p.display_name',
        'g.tier_id',
        'g.tier_name',
        'g.granted_at',
        's.last',
      )
      // Never signed in first, then the oldest sign-in.
      .orderByRaw(
        'case when s.last is null then 0 else 1 end, s.last, g.granted_at, g.id',
      );
    if (q.limit) query = query.limit(q.limit);
    const rows: any[] = await query;
    return rows.map(r => ({
      grantId: r.id,
      requestId: r.request_id,
      holder: r.grantee,
      ...(r.display_name ? { holderName: r.display_name } : {}),
      tierId: r.tier_id,
      tierName: r.tier_name,
      grantedAt: r.granted_at,
      ...(r.last ? { lastSignInAt: r.last } : {}),
    }));
  }

  /** How many match: those free to ask and those another campaign asks. */
  async countMatches(
    q: { appId: string; tierId?: string; cutoff: string },
    tx: Knex = this.db,
  ): Promise<{ free: number; alreadyAsked: number }> {
    const row: any = await this.matchQuery(q, tx)
      .select(
        tx.raw('sum(case when o.id is null then 1 else 0 end) as free'),
        tx.raw('sum(case when o.id is null then 0 else 1 end) as asked'),
      )
      .first();
    return { free: num(row?.free), alreadyAsked: num(row?.asked) };
  }

  async insertCampaign(row: CampaignRow, tx: Knex) {
    await tx('reclaim_campaigns').insert(row);
  }

  async insertQuestions(rows: QuestionRow[], tx: Knex) {
    for (let i = 0; i < rows.length; i += this.batchSize) {
      await tx('reclaim_questions').insert(rows.slice(i, i + this.batchSize));
    }
  }

  async getCampaign(
    id: string,
    tx: Knex = this.db,
  ): Promise<CampaignRow | undefined> {
    return tx<CampaignRow>('reclaim_campaigns').where({ id }).first();
  }

  async listCampaigns(limit = 200): Promise<CampaignRow[]> {
    return this.db<CampaignRow>('reclaim_campaigns')
      .orderByRaw(
        "case when status in ('running', 'closing') then 0 else 1 end",
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
  }

  /** Moves a campaign only if it is still in one of `from`. */
  async moveCampaign(
    id: string,
    from: ReclaimCampaignStatus[],
    changes: Partial<CampaignRow>,
    tx: Knex,
  ): Promise<boolean> {
    const n = await tx('reclaim_campaigns')
      .where({ id })
      .whereIn('status', from)
      .update({ ...changes, updated_at: nowIso() });
    return n === 1;
  }

  async counts(
    campaignIds: string[],
    tx: Knex = this.db,
  ): Promise<Map<string, ReclaimCampaignCounts>> {
    const out = new Map<string, ReclaimCampaignCounts>();
    if (!campaignIds.length) return out;
    const rows: any[] = await tx('reclaim_questions')
      .whereIn('campaign_id', campaignIds)
      .groupBy('campaign_id', 'status')
      .select('campaign_id', 'status')
      .count({ n: '*' });
    for (const id of campaignIds) {
      out.set(id, {
        total: 0,
        asked: 0,
        kept: 0,
        released: 0,
        expired: 0,
        removed: 0,
        failed: 0,
        cancelled: 0,
        skipped: 0,
      });
    }
    for (const r of rows) {
      const c = out.get(r.campaign_id)!;
      const status = r.status as keyof ReclaimCampaignCounts;
      c[status] = num(r.n);
      c.total += num(r.n);
    }
    return out;
  }

  async getQuestion(
    id: string,
    tx: Knex = this.db,
  ): Promise<QuestionRow | undefined> {
    return tx<QuestionRow>('reclaim_questions').where({ id }).first();
  }

  async listQuestions(
    campaignId: string,
    opts: { status?: ReclaimQuestionStatus; limit: number; offset: number },
  ): Promise<{ items: QuestionRow[]; total: number }> {
    let base = this.db<QuestionRow>('reclaim_questions').where({
      campaign_id: campaignId,
    });
    if (opts.status) base = base.where({ status: opts.status });
    const total = await base.clone().count({ n: '*' }).first();
    const items = await base
      .orderByRaw('coalesce(holder_name, holder), id')
      .limit(opts.limit)
      .offset(opts.offset);
    return { items, total: num((total as any)?.n) };
  }

  /**
   * Moves a question only if it is still in one of `from` (and, for the
   * open status, its campaign is still running when `runningCampaign`).
   */
  async moveQuestion(
    id: string,
    from: ReclaimQuestionStatus[],
    changes: Partial<QuestionRow>,
    tx: Knex,
    opts: { runningCampaign?: boolean; deadlineAfter?: string } = {},
  ): Promise<boolean> {
    let query = tx('reclaim_questions').where({ id }).whereIn('status', from);
    if (opts.deadlineAfter) {
      query = query.where('deadline_at', '>', opts.deadlineAfter);
    }
    if (opts.runningCampaign) {
      query = query.whereIn(
        'campaign_id',
        tx('reclaim_campaigns').where({ status: 'running' }).select('id'),
      );
    }
    const n = await query.update({ ...changes, updated_at: nowIso() });
    return n === 1;
  }

  /** Open questions of the holder, keyed by grant (GET /me/access). */
  async openForHolder(holder: string): Promise<Map<string, QuestionRow>> {
    const rows = await this.db<QuestionRow>('reclaim_questions').where({
      holder,
      status: OPEN_QUESTION,
    });
    return new Map(rows.map(r => [r.grant_id, r]));
  }

  /** Open questions whose deadline passed (campaign running or closing). */
  async due(now: string, limit: number): Promise<QuestionRow[]> {
    return this.db<QuestionRow>('reclaim_questions')
      .where({ status: OPEN_QUESTION })
      .where('deadline_at', '<=', now)
      .orderBy('deadline_at')
      .orderBy('id')
      .limit(limit);
  }

  /**
   * Open questions due a reminder: the deadline is within `withinMs` and
   * fewer than `step` reminders were sent.
   */
  async dueReminder(
    now: string,
    until: string,
    step: number,
    limit: number,
  ): Promise<QuestionRow[]> {
    return this.db<QuestionRow>('reclaim_questions')
      .where({ status: OPEN_QUESTION })
      .where('deadline_at', '>', now)
      .where('deadline_at', '<=', until)
      .where('reminders', '<', step)
      .orderBy('deadline_at')
      .orderBy('id')
      .limit(limit);
  }

  /** Open questions whose grant is no longer active (ended some other way). */
  async orphaned(limit: number): Promise<QuestionRow[]> {
    return this.db('reclaim_questions as q')
      .join('access_grants as g', 'g.id', 'q.grant_id')
      .where('q.status', OPEN_QUESTION)
      .whereNot('g.status', 'active')
      .select('q.*')
      .limit(limit);
  }

  /** Campaigns in `status` whose questions no longer include one in `open`. */
  async campaignsWithout(
    status: ReclaimCampaignStatus,
    open: ReclaimQuestionStatus[],
    tx: Knex = this.db,
  ): Promise<CampaignRow[]> {
    return tx<CampaignRow>('reclaim_campaigns as c')
      .where('c.status', status)
      .whereNotExists(
        tx('reclaim_questions as q')
          .whereRaw('q.campaign_id = c.id')
          .whereIn('q.status', open)
          .select(tx.raw('1')),
      )
      .select('c.*');
  }

  /** Running campaigns whose deadline passed. */
  async pastDeadline(now: string): Promise<CampaignRow[]> {
    return this.db<CampaignRow>('reclaim_campaigns')
      .where({ status: 'running' })
      .where('deadline_at', '<=', now);
  }

  /**
   * The removal of a grant finished: its released or expired question (a
   * failed one, when IT removed it later) becomes removed or failed, in
   * the removal's transaction.
   */
  async settleForGrant(
    grantId: string,
    outcome: 'removed' | 'failed',
    tx: Knex,
  ): Promise<number> {
    return tx('reclaim_questions')
      .where({ grant_id: grantId })
      .whereIn(
        'status',
        outcome === 'removed'
          ? ['released', 'expired', 'failed']
          : ['released', 'expired'],
      )
      .update({ status: outcome, updated_at: nowIso() });
  }

  /** Questions kept in the last `since` per grant, for the policy pass. */
  async tiersWithPolicy(): Promise<
    Array<{
      appId: string;
      appName: string;
      tierId: string;
      tierName: string;
      policy: { inactiveDays: number; answerDays: number };
    }>
  > {
    const rows: any[] = await this.db('app_tiers as t')
      .join('apps as a', 'a.id', 't.app_id')
      .whereNotNull('t.auto_reclaim')
      .select(
        't.app_id',
        'a.name as app_name',
        't.id',
        't.name',
        't.auto_reclaim',
      );
    return rows.map(r => ({
      appId: r.app_id,
      appName: r.app_name,
      tierId: r.id,
      tierName: r.name,
      policy: JSON.parse(r.auto_reclaim),
    }));
  }

  /** Price of a tier in cents, when set. */
  async tierPrices(
    appId: string,
  ): Promise<Map<string, { cents: number; currency: string }>> {
    const rows: any[] = await this.db('app_tiers')
      .where({ app_id: appId })
      .whereNotNull('cost_per_seat_cents')
      .select('id', 'cost_per_seat_cents', 'currency');
    return new Map(
      rows.map(r => [
        r.id,
        { cents: num(r.cost_per_seat_cents), currency: r.currency },
      ]),
    );
  }

  /** Removed seats per tier of a campaign. */
  async removedPerTier(campaignId: string): Promise<Map<string, number>> {
    const rows: any[] = await this.db('reclaim_questions')
      .where({ campaign_id: campaignId, status: 'removed' })
      .groupBy('tier_id')
      .select('tier_id')
      .count({ n: '*' });
    return new Map(rows.map(r => [r.tier_id, num(r.n)]));
  }
}
