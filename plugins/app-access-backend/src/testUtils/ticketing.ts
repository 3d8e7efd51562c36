import {
  BackendFeature,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { appAccessFulfillersExtensionPoint } from '@app-access/plugin-app-access-node';
import { Knex } from 'knex';
import { testCatalogEntities } from './catalog';
import { CoreTestBackend, startCoreTestBackend } from './coreTestBackend';
import { waitFor } from './waitFor';

/*
 * The kit for ticketing modules (appAccess.ticketing.system): one app whose
 * tiers are fulfilled by a ticket, a small org, and helpers to walk a request
 * to its ticket.
 */

export const JANE = 'user:default/jane.doe';
export const KIM = 'user:default/kim.lee';
export const SAM = 'user:default/sam.manager';
export const IVAN = 'user:default/ivan.admin';

/** Salesforce: Read Only needs the manager's approval, Sales Cloud needs none; both are ticket tiers. */
export const TICKETING_SEED_YAML = `
apiVersion: app-access.dev/v1
kind: AppCatalog
apps:
  - id: salesforce
    name: Salesforce
    vendor: Salesforce
    category: Sales
    url: https://acme.my.salesforce.com
    owner: group:default/it-admins
    listed: true
    tiers:
      - id: read-only
        name: Read Only
        description: View accounts, contacts and dashboards.
        approval:
          required: everyone
          level1:
            - type: manager
        fulfillment:
          type: ticket
      - id: sales-cloud
        name: Sales Cloud User
        approval:
          required: nobody
        fulfillment:
          type: ticket
      - id: analytics
        name: Analytics
        approval:
          required: nobody
        fulfillment:
          type: okta-group
          oktaGroupId: 00g1analytics
`;

/** Everyone is in it-admins (spec.memberOf only, no relations). */
export const ticketingEntities = testCatalogEntities(
  [
    { name: 'jane.doe', displayName: 'Jane Doe', manager: 'sam.manager' },
    { name: 'kim.lee', displayName: 'Kim Lee', manager: 'sam.manager' },
    { name: 'sam.manager', displayName: 'Sam Manager' },
    { name: 'ivan.admin', displayName: 'Ivan Admin' },
  ].map(p => ({ ...p, groups: ['it-admins'] })),
  { emailDomain: 'example.com', relations: false },
);

export type TicketingModuleTestBackend = Pick<
  CoreTestBackend,
  'api' | 'notificationsSend' | 'stop'
> & {
  /** Submits a request as `requester` and, when the tier needs it, approves it as `approver`. */
  requestAccess(input: {
    requester: string;
    tierId: string;
    approver?: string;
  }): Promise<string>;
  /** Waits until the request reaches `status` (fails fast on another final status). */
  waitForStatus(
    id: string,
    requester: string,
    status: string,
    timeoutMs?: number,
  ): Promise<any>;
  /** Runs the module's follow-up task once, as the scheduler would. */
  runFollowTask(): Promise<void>;
};

/**
 * Starts the real App Access plugin with the ticketing module under test on
 * the given database, an in-memory catalog, a recording notification
 * service and a scheduler whose tasks the test runs by hand.
 */
export async function startTicketingModuleTestBackend(options: {
  knex: Knex;
  /** The module under test (its package's default export). */
  module: BackendFeature;
  /** `appAccess.ticketing.system`. */
  ticketing: string;
  /** Merged into `appAccess`: the module's own block. */
  vendorConfig: Record<string, unknown>;
  /** Id of the module's scheduled follow-up task. */
  followTaskId: string;
  /** File audit-trail tickets for Okta-fulfilled requests. */
  auditTickets?: boolean;
  extraFeatures?: BackendFeature[];
}): Promise<TicketingModuleTestBackend> {
  const backend = await startCoreTestBackend({
    knex: options.knex,
    features: [options.module, ...(options.extraFeatures ?? [])],
    seedYaml: TICKETING_SEED_YAML,
    entities: ticketingEntities,
    scheduler: 'manual',
    config: {
      app: { baseUrl: 'http://portal.example.com' },
      appAccess: {
        ticketing: {
          system: options.ticketing,
          ...(options.auditTickets ? { auditTickets: true } : {}),
        },
        outbox: {
          pollIntervalMs: 50,
          baseDelaySeconds: 0.05,
          maxDelaySeconds: 2,
        },
        ...options.vendorConfig,
      },
    },
  });
  const { api } = backend;

  async function requestAccess(input: {
    requester: string;
    tierId: string;
    approver?: string;
  }): Promise<string> {
    const submitted = await api('POST', '/requests', input.requester, {
      appId: 'salesforce',
      tierId: input.tierId,
      justification: 'Quarterly pipeline review',
    });
    if (submitted.status !== 201) {
      throw new Error(
        `submit answered ${submitted.status}: ${JSON.stringify(
          submitted.body,
        )}`,
      );
    }
    const id = submitted.body.id as string;
    if (input.approver) {
      const decided = await api(
        'POST',
        `/requests/${id}/decisions`,
        input.approver,
        { decision: 'approve', comment: 'fine for Q1' },
      );
      if (decided.status !== 200) {
        throw new Error(
          `decision answered ${decided.status}: ${JSON.stringify(
            decided.body,
          )}`,
        );
      }
    }
    return id;
  }

  async function waitForStatus(
    id: string,
    requester: string,
    status: string,
    timeoutMs = 15_000,
  ) {
    return waitFor(
      `request ${id} to be ${status}`,
      async () => {
        const res = await api('GET', `/requests/${id}`, requester);
        if (res.body?.status === status) return res.body;
        if (
          ['failed', 'fulfilled', 'denied', 'cancelled'].includes(
            res.body?.status,
          )
        ) {
          throw new Error(
            `request is ${res.body.status}: ${res.body.failureReason ?? ''}`,
          );
        }
        return undefined;
      },
      { timeoutMs, rethrow: true },
    );
  }

  return {
    api,
    notificationsSend: backend.notificationsSend,
    stop: backend.stop,
    requestAccess,
    waitForStatus,
    runFollowTask: () => backend.runTask(options.followTaskId),
  };
}

/**
 * Stands in for the Okta module: fulfils `okta-group` tiers at once, so
 * audit-trail tickets can be tested.
 */
export const fakeOktaModule = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'fake-okta',
  register(reg) {
    reg.registerInit({
      deps: { fulfillers: appAccessFulfillersExtensionPoint },
      async init({ fulfillers }) {
        fulfillers.addFulfiller({
          handles: ['okta-group'],
          fulfill: async context => ({
            status: 'fulfilled',
            externalRef: `okta:${context.request.id.slice(0, 8)}`,
          }),
        });
      },
    });
  },
});
