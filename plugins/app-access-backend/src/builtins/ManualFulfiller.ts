import {
  AppAccessFulfiller,
  FulfillmentContext,
  FulfillmentResult,
  RevocationContext,
  RevocationResult,
} from '@app-access/plugin-app-access-node';

/**
 * Hands the request to IT: it waits in `awaiting_it` until an admin marks
 * it fulfilled. Used for `manual` tiers and whenever no vendor module
 * handles a tier's fulfillment.
 */
export class ManualFulfiller implements AppAccessFulfiller {
  readonly handles = ['manual'];

  async fulfill(context: FulfillmentContext): Promise<FulfillmentResult> {
    return {
      status: 'awaiting_it',
      message: `Waiting for IT to grant ${context.app.name} ${context.tier.name} by hand`,
    };
  }

  /** IT removes it by hand and marks it removed in request oversight. */
  async revoke(context: RevocationContext): Promise<RevocationResult> {
    return {
      status: 'awaiting_it',
      message: `Waiting for IT to remove ${context.app.name} ${context.tier.name} from ${context.grant.grantee} by hand`,
    };
  }
}
