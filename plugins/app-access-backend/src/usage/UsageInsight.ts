import {
  AppUsage,
  SignInKnowledge,
  TierUsage,
  UsageInsight as UsageInsightResult,
  UsagePoint,
} from '@app-access/plugin-app-access-common';
import {
  PricedTier,
  TierHolderCounts,
  UsageInsightStore,
} from '../database/UsageInsightStore';
import { nowIso } from '../database/json';

const DAY_MS = 86_400_000;

/** The UTC day of a moment, YYYY-MM-DD. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

const NOT_TRACKED: SignInKnowledge = {
  known: false,
  reason: 'not-tracked',
  message:
    'No sign-ins are recorded for any app: turn on Okta sign-in tracking (appAccess.okta.sync.lastUsed).',
};
const NONE_FOR_APP: SignInKnowledge = {
  known: false,
  reason: 'none-recorded-for-app',
  message:
    'No sign-in is recorded for any holder of this app: it may not be signed into through Okta.',
};

function tierUsage(
  tier: PricedTier,
  counts: TierHolderCounts | undefined,
  known: boolean,
): { usage: TierUsage; unusedCents: number | null } {
  const holders = counts?.holders ?? 0;
  const active90 = known ? counts?.active90 ?? 0 : null;
  const seatsFree =
    tier.seatsPurchased === undefined
      ? null
      : Math.max(0, tier.seatsPurchased - holders);
  const idleHolders = active90 === null ? null : holders - active90;
  const unusedSeats = (seatsFree ?? 0) + (idleHolders ?? 0);
  const unusedCents =
    tier.costPerSeatCents === undefined
      ? null
      : unusedSeats * tier.costPerSeatCents;
  return {
    unusedCents,
    usage: {
      tierId: tier.tierId,
      tierName: tier.tierName,
      holders,
      seatsUsed: holders,
      active30: known ? counts?.active30 ?? 0 : null,
      active90,
      neverSignedIn: known ? counts?.neverSignedIn ?? 0 : null,
      ...(tier.seatsPurchased !== undefined
        ? { seatsPurchased: tier.seatsPurchased }
        : {}),
      seatsFree,
      idleHolders,
      unusedSeats,
      ...(tier.costPerSeatCents !== undefined
        ? { costPerSeatMonthly: tier.costPerSeatCents / 100 }
        : {}),
      ...(tier.currency ? { currency: tier.currency } : {}),
      unusedSeatCostMonthly: unusedCents === null ? null : unusedCents / 100,
    },
  };
}

const sumOrNull = (values: Array<number | null>) =>
  values.some(v => v === null)
    ? null
    : values.reduce<number>((a, b) => a + (b ?? 0), 0);

/**
 * Usage insight: who holds each app and tier, who of them signed in lately
 * (where that is known), seats bought against seats used, and what the
 * unused seats cost; and the daily snapshot behind the per-app chart.
 *
 * A seat is unused when it is bought and nobody holds it, or when its holder
 * has not signed in for 90 days. Where no sign-in is known the activity
 * counts are null with the reason, never zeros.
 */
export class UsageInsight {
  constructor(private readonly store: UsageInsightStore) {}

  async compute(now: Date = new Date()): Promise<UsageInsightResult> {
    const since = (days: number) =>
      nowIso(new Date(now.getTime() - days * DAY_MS));
    const [tiers, counts, withSignIns] = await Promise.all([
      this.store.tiers(),
      this.store.holderCounts({ since30: since(30), since90: since(90) }),
      this.store.appsWithSignIns(),
    ]);
    const tracked = withSignIns.size > 0;
    const countOf = new Map(counts.map(c => [`${c.appId} ${c.tierId}`, c]));
    const byApp = new Map<string, PricedTier[]>();
    for (const t of tiers) {
      byApp.set(t.appId, [...(byApp.get(t.appId) ?? []), t]);
    }

    const items: Array<AppUsage & { sortCents: number }> = [];
    for (const [appId, appTiers] of byApp) {
      appTiers.sort((a, b) => a.position - b.position);
      const first = appTiers[0];
      const holders = appTiers.reduce(
        (n, t) => n + (countOf.get(`${appId} ${t.tierId}`)?.holders ?? 0),
        0,
      );
      // Apps nobody holds and that are not in the catalog say nothing.
      if (!first.listed && holders === 0) continue;
      let signIns: SignInKnowledge = { known: true };
      if (!tracked) signIns = NOT_TRACKED;
      else if (holders > 0 && !withSignIns.has(appId)) signIns = NONE_FOR_APP;

      const perTier = appTiers.map(t =>
        tierUsage(t, countOf.get(`${appId} ${t.tierId}`), signIns.known),
      );
      const priced = perTier.filter(t => t.unusedCents !== null);
      const cents = priced.length
        ? priced.reduce((n, t) => n + (t.unusedCents ?? 0), 0)
        : null;
      const usages = perTier.map(t => t.usage);
      items.push({
        appId,
        appName: first.appName,
        listed: first.listed,
        signIns,
        holders,
        active30: sumOrNull(usages.map(u => u.active30)),
        active90: sumOrNull(usages.map(u => u.active90)),
        neverSignedIn: sumOrNull(usages.map(u => u.neverSignedIn)),
        unusedSeats: usages.reduce((n, u) => n + u.unusedSeats, 0),
        ...(appTiers.find(t => t.currency)
          ? { currency: appTiers.find(t => t.currency)!.currency }
          : {}),
        unusedSeatCostMonthly: cents === null ? null : cents / 100,
        tiers: usages,
        sortCents: cents ?? -1,
      });
    }
    items.sort(
      (a, b) =>
        b.sortCents - a.sortCents ||
        b.unusedSeats - a.unusedSeats ||
        a.appName.localeCompare(b.appName) ||
        a.appId.localeCompare(b.appId),
    );
    return {
      generatedAt: nowIso(now),
      signInsTracked: tracked,
      items: items.map(({ sortCents: _s, ...item }) => item),
    };
  }

  /**
   * Records today's (UTC) holders and active holders per app and tier.
   * Idempotent per day: whichever replica runs first writes the day, later
   * runs that day write nothing. Returns the rows written.
   */
  async snapshot(now: Date = new Date()): Promise<number> {
    const insight = await this.compute(now);
    const rows = insight.items.flatMap(app =>
      app.tiers.map(t => ({
        appId: app.appId,
        tierId: t.tierId,
        holders: t.holders,
        active30: t.active30,
      })),
    );
    return this.store.writeSnapshot(utcDay(now), rows, nowIso(now));
  }

  /** An app's daily points over the last `days` days (today included). */
  async history(
    appId: string,
    days: number,
    now: Date = new Date(),
  ): Promise<UsagePoint[]> {
    const from = utcDay(new Date(now.getTime() - (days - 1) * DAY_MS));
    return this.store.series(appId, from);
  }
}
