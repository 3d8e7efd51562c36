import {
  BackendFeature,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { appAccessFulfillersExtensionPoint } from '@app-access/plugin-app-access-node';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import appAccessPlugin from '@app-access/plugin-app-access-backend';

export const JANE = 'user:default/jane.doe';
export const KIM = 'user:default/kim.lee';
export const SAM = 'user:default/sam.manager';
export const IVAN = 'user:default/ivan.admin';

/** Salesforce: Read Only needs the manager's approval, Sales Cloud needs none; both are ticket tiers. */
export const SEED_YAML = `
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

const PEOPLE = [
  { name: 'jane.doe', displayName: 'Jane Doe', manager: 'sam.manager' },
  { name: 'kim.lee', displayName: 'Kim Lee', manager: 'sam.manager' },
  { name: 'sam.manager', displayName: 'Sam Manager' },
  { name: 'ivan.admin', displayName: 'Ivan Admin' },
];

export const entities = [
  ...PEOPLE.map(p => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name: p.name,
      namespace: 'default',
      annotations: (p.manager
        ? { 'app-access/manager': p.manager }
        : {}) as Record<string, string>,
    },
    spec: {
      profile: { displayName: p.displayName, email: `${p.name}@example.com` },
      memberOf: ['it-admins'],
    },
  })),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'it-admins', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
];

export type TestBackend = Awaited<ReturnType<typeof startModuleTestBackend>>;

/**
 * Starts the real App Access plugin with the module under test on the given
 * database, an in-memory catalog, a recording notification service and a
 * mocked scheduler whose tasks the test runs by hand.
 */
export async function startModuleTestBackend(options: {
  knex: Awaited<ReturnType<TestDatabases['init']>>;
  /** The module under test (its package's default export). */
  module: BackendFeature;
  ticketing: string;
  vendorConfig: Record<string, unknown>;
  followTaskId: string;
  /** File audit-trail tickets for Okta-fulfilled requests. */
  auditTickets?: boolean;
  extraFeatures?: BackendFeature[];
}) {
  const seedDir = createMockDirectory({ content: { 'apps.yaml': SEED_YAML } });
  const notificationsSend = jest.fn(async (_options: any) => {});
  const scheduler = mockServices.scheduler.mock();

  const backend = await startTestBackend({
    features: [
      appAccessPlugin,
      options.module,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.example.com' },
          appAccess: {
            catalog: { seedFiles: [seedDir.resolve('apps.yaml')] },
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
      }),
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({ entities }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: notificationsSend }),
      }),
      mockServices.permissions.factory(),
      scheduler.factory,
      ...(options.extraFeatures ?? []),
    ],
  });

  const baseUrl = `http://localhost:${backend.server.port()}/api/app-access`;

  async function api(
    method: string,
    path: string,
    as: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: mockCredentials.user.header(as),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Submits a request as `requester` and, when the tier needs it, approves it as `approver`. */
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
        {
          decision: 'approve',
          comment: 'fine for Q1',
        },
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

  /** Waits until the request reaches `status` (fails fast on another final status). */
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
      timeoutMs,
      true,
    );
  }

  /** Runs the module's follow-up task once, as the scheduler would. */
  async function runFollowTask() {
    const call = scheduler.scheduleTask.mock.calls.find(
      ([task]) => task.id === options.followTaskId,
    );
    if (!call)
      throw new Error(`task ${options.followTaskId} was not scheduled`);
    await call[0].fn(new AbortController().signal as any);
  }

  return {
    api,
    requestAccess,
    waitForStatus,
    runFollowTask,
    scheduler,
    notificationsSend,
    stop: () => backend.stop(),
  };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  rethrow = false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (rethrow) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${last}` : ''
        }`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
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
