import {
  BackendFeature,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { appAccessUsageExtensionPoint } from '@app-access/plugin-app-access-node';
import { TestApiCall } from './coreTestBackend';
import { waitFor } from './waitFor';

/** One person's last sign-in to one app, `daysAgo` days ago. */
export type TestSignIn = { personRef: string; appId: string; daysAgo: number };

/**
 * A usage source that reports each person assigned to the app and last
 * signed in as given, as Okta reports it: the holders a reclamation
 * campaign on an inactivity rule asks.
 */
export function staleSignInModule(signIns: TestSignIn[]): BackendFeature {
  const appIdsOf = new Map<string, string[]>();
  for (const { personRef, appId } of signIns) {
    appIdsOf.set(personRef, [...(appIdsOf.get(personRef) ?? []), appId]);
  }
  return createBackendModule({
    pluginId: 'app-access',
    moduleId: 'test-stale-sign-in',
    register(env) {
      env.registerInit({
        deps: { usage: appAccessUsageExtensionPoint },
        async init({ usage }) {
          usage.addUsageSource({
            id: 'test-stale-sign-in',
            async connect(api) {
              // A sign-in is recorded on the person's assignment.
              await api.setAssignments(
                'okta-direct',
                [...appIdsOf].map(([personRef, appIds]) => ({
                  personRef,
                  appIds,
                })),
              );
              await api.markLastUsed(
                signIns.map(({ personRef, appId, daysAgo }) => ({
                  personRef,
                  appId,
                  at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
                })),
              );
            },
          });
        },
      });
    },
  });
}

/**
 * Gives each holder a tier through the portal (submitted, approved at
 * level 1 by `approver`, marked done by `admin`), then starts, as `admin`,
 * a reclamation campaign on it that asks everyone inactive for 60 days.
 * Returns the campaign and the requests, in the holders' order.
 */
export async function grantThenStartCampaign(
  api: TestApiCall,
  options: {
    holders: string[];
    approver: string;
    admin: string;
    appId: string;
    tierId: string;
    /** The admin's message to the holders. */
    message: string;
    answerDays?: number;
  },
): Promise<{ requestIds: string[]; campaignId: string }> {
  const { approver, admin, appId, tierId } = options;
  const expect = async (
    what: string,
    status: number,
    call: Promise<{ status: number; body: any }>,
  ) => {
    const res = await call;
    if (res.status !== status) {
      throw new Error(
        `${what}: ${res.status} ${JSON.stringify(
          res.body,
        )} (expected ${status})`,
      );
    }
    return res.body;
  };
  const requestIds: string[] = [];
  for (const holder of options.holders) {
    const submitted = await expect(
      'Submitting',
      201,
      api('POST', '/requests', holder, {
        appId,
        tierId,
        justification: `Needed for the Q3 launch (${holder})`,
      }),
    );
    const requestId: string = submitted.id;
    await expect(
      'Approving',
      200,
      api('POST', `/requests/${requestId}/decisions`, approver, {
        decision: 'approve',
      }),
    );
    await waitFor(
      'the request to reach IT',
      async () =>
        (await api('GET', `/requests/${requestId}`, holder)).body?.status ===
        'awaiting_it',
    );
    await expect(
      'Marking it done',
      200,
      api('POST', `/admin/requests/${requestId}/mark-fulfilled`, admin, {}),
    );
    requestIds.push(requestId);
  }
  const campaign = await expect(
    'Starting the campaign',
    201,
    api('POST', '/admin/campaigns', admin, {
      appId,
      tierId,
      inactiveDays: 60,
      answerDays: options.answerDays ?? 14,
      message: options.message,
    }),
  );
  return { requestIds, campaignId: campaign.id };
}
