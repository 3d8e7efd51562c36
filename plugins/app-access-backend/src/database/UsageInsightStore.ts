import { Knex } from 'knex';
import { HELD_GRANT_STATUSES } from './GrantStore';

/** A tier as usage insight reads it: its name, price and seats. */
export type PricedTier = {
  appId: string;
  appName: string;
  listed: boolean;
  tierId: string;
  tierName: string;
  position: number;
  costPerSeatCents?: number;
  currency?: string;
  seatsPurchased?: number;
};

/** Per app and tier: grants held and how many holders signed in since each cut-off. */
export type TierHolderCounts = {
  appId: string;
  tierId: string;
  holders: number;
  active30: number;
  active90: number;
  neverSignedIn: number;
};

export type SnapshotRow = {
  appId: string;
  tierId: string;
  holders: number;
  active30: number | null;
};

const num = (v: unknown) => Number(v ?? 0);

/**
 * The reads behind usage insight (held grants joined with each holder's last
 * sign-in to the app) and the daily snapshot table.
 */
export class UsageInsightStore {
  constructor(private readonly db: Knex) {}

  /** Every tier of every app, with the app's name and whether it is listed. */
  async tiers(): Promise<PricedTier[]> {
    const rows: any[] = await this.db('app_tiers as t')
      .join('apps as a', 'a.id', 't.app_id')
      .select(
        't.app_id',
        'a.name as app_name',
        'a.listed',
        't.id as tier_id',
        't.name as tier_name',
        't.position',
        't.cost_per_seat_cents',
        't.currency',
        't.seats_purchased',
      );
    return rows.map(r => ({
      appId: r.app_id,
      appName: r.app_name,
      listed: Boolean(r.listed),
      tierId: r.tier_id,
      tierName: r.tier_name,
      position: num(r.position),
      ...(r.cost_per_seat_cents !== null && r.cost_per_seat_cents !== undefined
        ? { costPerSeatCents: num(r.cost_per_seat_cents) }
        : {}),
      ...(r.currency ? { currency: r.currency } : {}),
      ...(r.seats_purchased !== null && r.seats_purchased !== undefined
        ? { seatsPurchased: num(r.seats_purchased) }
        : {}),
    }));
  }

  /**
   * Held grants per app and tier, with how many holders last signed in to
   * the app at or after each cut-off (ISO timestamps compare as text), in
   * one statement. A holder's last sign-in is the latest over all the
   * sources that record their assignment to the app.
   */
  async holderCounts(cutoffs: {
    since30: string;
    since90: string;
  }): Promise<TierHolderCounts[]> {
    const { db } = this;
    const lastSignIn = db('app_assignments')
      .select('person_ref', 'app_id')
      .max({ last: 'last_used_at' })
      .groupBy('person_ref', 'app_id')
      .as('s');
    const rows: any[] = await db('access_grants as g')
      .leftJoin(lastSignIn, join =>
        join.on('s.person_ref', 'g.grantee').andOn('s.app_id', 'g.app_id'),
      )
      .whereIn('g.status', HELD_GRANT_STATUSES)
      .groupBy('g.app_id', 'g.tier_id')
      .select('g.app_id', 'g.tier_id')
      .count({ holders: '*' })
      .select(
        db.raw('sum(case when s.last >= ? then 1 else 0 end) as active30', [
          cutoffs.since30,
        ]),
        db.raw('sum(case when s.last >= ? then 1 else 0 end) as active90', [
          cutoffs.since90,
        ]),
        db.raw('sum(case when s.last is null then 1 else 0 end) as never'),
      );
    return rows.map(r => ({
      appId: r.app_id,
      tierId: r.tier_id,
      holders: num(r.holders),
      active30: num(r.active30),
      active90: num(r.active90),
      neverSignedIn: num(r.never),
    }));
  }

  /** Apps for which some sign-in was ever recorded. */
  async appsWithSignIns(): Promise<Set<string>> {
    const ids = await this.db('app_assignments')
      .whereNotNull('last_used_at')
      .distinct('app_id')
      .pluck('app_id');
    return new Set(ids as string[]);
  }

  /**
   * Writes a day's snapshot; rows for that day already written (another
   * replica, an earlier run) stay as they are. Returns the rows written.
   */
  async writeSnapshot(
    day: string,
    rows: SnapshotRow[],
    takenAt: string,
  ): Promise<number> {
    let written = 0;
    for (let i = 0; i < rows.length; i += 200) {
      const batch = rows.slice(i, i + 200);
      const inserted = await this.db('usage_snapshots')
        .insert(
          batch.map(r => ({
            day,
            app_id: r.appId,
            tier_id: r.tierId,
            holders: r.holders,
            active_30: r.active30,
            taken_at: takenAt,
          })),
        )
        .onConflict(['day', 'app_id', 'tier_id'])
        .ignore()
        .returning('day');
      written += inserted.length;
    }
    return written;
  }

  /** An app's snapshots from `fromDay` on, its tiers summed per day, oldest first. */
  async series(
    appId: string,
    fromDay: string,
  ): Promise<Array<{ day: string; holders: number; active30: number | null }>> {
    const rows: any[] = await this.db('usage_snapshots')
      .where('app_id', appId)
      .andWhere('day', '>=', fromDay)
      .groupBy('day')
      .select('day')
      .sum({ holders: 'holders' })
      .sum({ active30: 'active_30' })
      // A tier whose sign-ins were unknown that day makes the day's
      // active count unknown rather than too low.
      .select(
        this.db.raw(
          'sum(case when active_30 is null then 1 else 0 end) as unknown',
        ),
      )
      .orderBy('day', 'asc');
    return rows.map(r => ({
      day: r.day,
      holders: num(r.holders),
      active30: num(r.unknown) > 0 ? null : num(r.active30),
    }));
  }

  /**
   * Seats bought and held for the given tiers, only for tiers whose seats
   * bought are recorded; keyed "appId tierId".
   */
  async seatUse(
    tiers: Array<{ appId: string; tierId: string }>,
  ): Promise<Map<string, { purchased: number; used: number }>> {
    const out = new Map<string, { purchased: number; used: number }>();
    const appIds = [...new Set(tiers.map(t => t.appId))];
    if (!appIds.length) return out;
    const wanted = new Set(tiers.map(t => `${t.appId} ${t.tierId}`));
    const bought: any[] = await this.db('app_tiers')
      .whereIn('app_id', appIds)
      .whereNotNull('seats_purchased')
      .select('app_id', 'id', 'seats_purchased');
    const counted = bought.filter(b => wanted.has(`${b.app_id} ${b.id}`));
    if (!counted.length) return out;
    const held: any[] = await this.db('access_grants')
      .whereIn('app_id', [...new Set(counted.map(b => b.app_id))])
      .whereIn('status', HELD_GRANT_STATUSES)
      .groupBy('app_id', 'tier_id')
      .select('app_id', 'tier_id')
      .count({ n: '*' });
    const heldOf = new Map(
      held.map(h => [`${h.app_id} ${h.tier_id}`, num(h.n)]),
    );
    for (const b of counted) {
      const key = `${b.app_id} ${b.id}`;
      out.set(key, {
        purchased: num(b.seats_purchased),
        used: heldOf.get(key) ?? 0,
      });
    }
    return out;
  }
}
