import {
  AppAccessFulfiller,
  FulfillmentContext,
  FulfillmentResult,
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
}
