import { LoggerService } from '@backstage/backend-plugin-api';
import { AppAccessFulfillmentApi } from '@app-access/plugin-app-access-node';
import { OktaApi } from './OktaApi';
import {
  describeAppUser,
  grantedMessage,
  minutes,
  parseOktaRef,
  provisioningState,
} from './provisioning';

export type ProvisioningFollowerOptions = {
  api: OktaApi;
  fulfillment: AppAccessFulfillmentApi;
  logger: LoggerService;
  /** Give up on an app user this long after the request started waiting. */
  provisioningTimeoutMs: number;
  now?: () => number;
};

/**
 * Finishes Okta fulfillments that were assigned but not yet provisioned when
 * the fulfiller handed them over (status awaiting_it): reads each app user
 * again and completes the request once Okta has provisioned the account,
 * fails it on a sync error, or after the configured time.
 */
export class ProvisioningFollower {
  constructor(private readonly options: ProvisioningFollowerOptions) {}

  async run(): Promise<{ checked: number; completed: number }> {
    const { api, fulfillment, logger, provisioningTimeoutMs } = this.options;
    const now = this.options.now ?? Date.now;
    let checked = 0;
    let completed = 0;
    for (const fulfilledBy of ['okta-app', 'okta-group']) {
      for (const request of await fulfillment.listAwaiting(fulfilledBy, 200)) {
        const ref = parseOktaRef(request.externalRef);
        if (ref?.kind !== 'okta-app') continue;
        checked += 1;
        let appUser;
        try {
          appUser = await api.getAppUser(ref.appId, ref.userId);
        } catch (error) {
          const problem = api.describe(error);
          if (problem.kind === 'rate_limited') {
            logger.info(
              `Okta provisioning follow-up paused: ${problem.message}`,
            );
            return { checked, completed };
          }
          logger.warn(
            `Okta provisioning follow-up of request ${request.id} failed: ${problem.message}`,
          );
          continue;
        }
        const app = request.appName;
        let result:
          | { status: 'fulfilled' | 'failed'; message: string }
          | undefined;
        if (!appUser) {
          result = {
            status: 'failed',
            message: `The assignment to ${app} is gone from Okta (Okta app ${ref.appId}); someone unassigned it while it was provisioning`,
          };
        } else if (provisioningState(appUser) === 'done') {
          result = {
            status: 'fulfilled',
            message: grantedMessage('the account', app, appUser),
          };
        } else if (provisioningState(appUser) === 'error') {
          result = {
            status: 'failed',
            message: `Okta could not provision the account in ${app} (${describeAppUser(
              appUser,
            )}); fix the app's provisioning in Okta, then retry`,
          };
        } else if (
          now() - Date.parse(request.updatedAt) >
          provisioningTimeoutMs
        ) {
          result = {
            status: 'failed',
            message: `Okta did not finish provisioning the account in ${app} within ${minutes(
              provisioningTimeoutMs,
            )} min (${describeAppUser(
              appUser,
            )}); check the app's provisioning in Okta, then retry or mark the request fulfilled`,
          };
        }
        if (result) {
          await fulfillment.complete(request.id, result);
          completed += 1;
        }
      }
    }
    return { checked, completed };
  }
}
