import { UsageInsightStore } from '../database/UsageInsightStore';

/**
 * Requesting a seat when none are free: the requester is told that approving
 * buys one more (without figures: seat counts are for admins and approvers),
 * the approver how many seats are in use. Nothing when the tier's seats
 * bought are not recorded or some are free.
 */
export class SeatWarnings {
  constructor(private readonly store: UsageInsightStore) {}

  async forRequester(appId: string, tierId: string) {
    const use = (await this.store.seatUse([{ appId, tierId }])).get(
      `${appId} ${tierId}`,
    );
    return use && use.used >= use.purchased
      ? 'All seats of this tier are in use: approving your request means buying one more. An admin may reclaim seats nobody uses.'
      : undefined;
  }

  /** Per "appId tierId": the approver's warning, for tiers with no free seat. */
  async forApprovers(
    tiers: Array<{ appId: string; tierId: string }>,
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [key, use] of await this.store.seatUse(tiers)) {
      if (use.used >= use.purchased) {
        out.set(
          key,
          use.purchased === 1
            ? 'The only seat is in use; approving buys one more.'
            : `All ${use.purchased} seats are in use; approving buys one more.`,
        );
      }
    }
    return out;
  }
}
