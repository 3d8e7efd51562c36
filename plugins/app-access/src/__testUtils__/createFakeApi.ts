import {
  AccessGrant,
  AccessRequest,
  OPEN_STATUSES,
} from '@app-access/plugin-app-access-common';
import { AppAccessApi } from '../api';
import { campaignFakes } from './campaigns';
import { adminApps, matchesQuery, oktaApps, oktaGroups } from './adminApps';
import { apps, catalogApps, recommendations } from './catalogApps';
import { auditEvents, deadJobs, syncOverview } from './operations';
import { peersOf } from './peers';
import {
  adminRequests,
  intakeRequest,
  myRequests,
  noApprovalPreview,
  pendingApprovals,
  pendingRequest,
  twoLevelPreview,
} from './requests';
import { responseError } from './responseError';
import { fakeSettings } from './settings';

/** What jane holds in the fakes: one time-bound grant, one until removed. */
export const myGrants: AccessGrant[] = [
  {
    id: 'g-pagerduty',
    appId: 'pagerduty',
    tierId: 'responder',
    appName: 'PagerDuty',
    tierName: 'Responder',
    grantee: 'user:default/jane.doe',
    requestId: 'r-pagerduty',
    grantedAt: '2026-12-01T09:00:00.000Z',
    endsAt: '2026-12-08T09:00:00.000Z',
    status: 'active',
    fulfilledBy: 'okta-group',
    maxDurationDays: 7,
  },
  {
    id: 'g-slack',
    appId: 'slack',
    tierId: 'member',
    appName: 'Slack',
    tierName: 'Member',
    grantee: 'user:default/jane.doe',
    requestId: 'r-slack',
    grantedAt: '2026-11-20T09:00:00.000Z',
    status: 'active',
    fulfilledBy: 'manual',
  },
];

/** Removals for request oversight: one waiting for IT, one that gave up. */
export const removals: AccessGrant[] = [
  {
    ...myGrants[1],
    id: 'g-slack-kim',
    grantee: 'user:default/kim.lee',
    status: 'removing',
    removalHandler: 'manual',
    removalReason: 'Moved teams',
  },
  {
    ...myGrants[0],
    id: 'g-pagerduty-leo',
    grantee: 'user:default/leo.park',
    status: 'removal_failed',
  },
];

export type FakeAppAccessApi = jest.Mocked<AppAccessApi>;

/** A fake backend with realistic answers; override per test as needed. */
export function createFakeApi(
  overrides: Partial<AppAccessApi> = {},
): FakeAppAccessApi {
  const settings = fakeSettings();
  const api: FakeAppAccessApi = {
    listApps: jest.fn(async () => ({ items: apps })),
    getApp: jest.fn(async (id: string) => {
      const app = catalogApps.find(a => a.id === id);
      if (!app) {
        throw responseError(404, 'NotFoundError', `No app ${id}`);
      }
      return app;
    }),
    getAppPeers: jest.fn(async (appId: string) => {
      const app = catalogApps.find(a => a.id === appId);
      if (!app) {
        throw responseError(
          404,
          'NotFoundError',
          `No app '${appId}' in the catalog`,
        );
      }
      return peersOf(app);
    }),
    listRecommendations: jest.fn(async (query = {}) => ({
      items: recommendations.slice(0, query.limit ?? 10),
    })),
    getApproverPreview: jest.fn(async (appId: string, tierId: string) => {
      const tier = catalogApps
        .find(a => a.id === appId)
        ?.tiers.find(t => t.id === tierId);
      return tier?.needsApproval ? twoLevelPreview : noApprovalPreview;
    }),
    getOnBehalfOptions: jest.fn(async () => ({
      rule: 'reports' as const,
      reports: [{ ref: 'user:default/kim.lee', displayName: 'Kim Lee' }],
    })),
    listLeavers: jest.fn(async () => ({ items: [] })),
    getUsageInsight: jest.fn(async () => ({
      generatedAt: '2030-06-30T12:00:00.000Z',
      signInsTracked: false,
      items: [],
    })),
    getUsageHistory: jest.fn(async (appId: string) => ({
      appId,
      points: [],
    })),
    createRequest: jest.fn(async body => ({
      ...pendingRequest,
      id: 'req-new',
      appId: body.appId,
      tierId: body.tierId,
      justification: body.justification,
    })),
    createIntake: jest.fn(async body => ({
      ...intakeRequest,
      id: 'req-intake-new',
      appName: body.name,
      intake: { name: body.name, url: body.url, vendor: body.vendor },
      justification: body.justification,
    })),
    listMyRequests: jest.fn(async () => ({ items: myRequests })),
    getRequest: jest.fn(async (id: string) => {
      const request = myRequests.find(r => r.id === id);
      if (!request) {
        throw responseError(404, 'NotFoundError', `No request ${id}`);
      }
      return request;
    }),
    cancelRequest: jest.fn(async (id: string) => ({
      ...myRequests.find(r => r.id === id)!,
      status: 'cancelled' as const,
    })),
    listApprovals: jest.fn(async () => ({ items: pendingApprovals })),
    decide: jest.fn(
      async (requestId: string, body): Promise<AccessRequest> => ({
        ...pendingApprovals.find(p => p.requestId === requestId)!.request,
        status: body.decision === 'approve' ? 'approved' : 'denied',
      }),
    ),
    // Jane's requests: Jane and her manager Sam may read them.
    getPersonAccess: jest.fn(async (userRef: string) => {
      if (userRef !== 'user:default/jane.doe') {
        throw responseError(
          403,
          'NotAllowedError',
          "Only the person and their manager may see a person's access",
        );
      }
      return {
        user: userRef,
        access: myRequests.filter(r => r.status === 'fulfilled'),
        open: myRequests.filter(r => OPEN_STATUSES.includes(r.status)),
      };
    }),
    getSettings: jest.fn(settings.get),
    updateSettings: jest.fn(settings.update),
    testModule: jest.fn(async (kind, id) => {
      if (!['okta-group', 'jira', 'slack', 'email', 'manual'].includes(id)) {
        throw responseError(
          404,
          'NotFoundError',
          `The ${kind} '${id}' is not installed`,
        );
      }
      return { ok: true, message: `The ${id} ${kind} answered` };
    }),
    listAdminApps: jest.fn(async (query = {}) => ({
      items: adminApps.filter(
        a =>
          (query.listed === undefined || a.listed === query.listed) &&
          matchesQuery(a, query.q),
      ),
    })),
    getAdminApp: jest.fn(async (id: string) => {
      const app = adminApps.find(a => a.id === id);
      if (!app) {
        throw responseError(404, 'NotFoundError', `No app '${id}'`);
      }
      return app;
    }),
    createApp: jest.fn(async app => {
      if (adminApps.some(a => a.id === app.id)) {
        throw responseError(
          409,
          'ConflictError',
          `An app with id '${app.id}' already exists`,
        );
      }
      return { ...app, source: 'admin', adminModified: true };
    }),
    saveApp: jest.fn(async app => ({
      ...app,
      source: adminApps.find(a => a.id === app.id)?.source ?? 'admin',
      adminModified: true,
    })),
    listOktaApps: jest.fn(async () => ({ items: oktaApps })),
    listOktaGroups: jest.fn(async (q?: string) => ({
      items: oktaGroups.filter(g =>
        g.name.toLocaleLowerCase().includes((q ?? '').toLocaleLowerCase()),
      ),
    })),
    listAdminRequests: jest.fn(async (query = {}) => ({
      items: adminRequests.filter(
        r =>
          (!query.status?.length || query.status.includes(r.status)) &&
          (!query.appId || r.appId === query.appId) &&
          (!query.requester || r.requester === query.requester),
      ),
    })),
    getAdminRequest: jest.fn(async (id: string) => {
      const request = adminRequests.find(r => r.id === id);
      if (!request) {
        throw responseError(404, 'NotFoundError', `No request with id '${id}'`);
      }
      return request;
    }),
    retryRequest: jest.fn(async (id: string) => ({
      ...adminRequests.find(r => r.id === id)!,
      status: 'fulfilling' as const,
    })),
    nameApprover: jest.fn(async (id: string, approver: string) => {
      const found = adminRequests.find(r => r.id === id)!;
      return {
        ...found,
        approvals: (found.approvals ?? []).map(t =>
          t.status === 'open'
            ? { ...t, approvers: [...t.approvers, approver] }
            : t,
        ),
      };
    }),
    markFulfilled: jest.fn(async (id: string) => ({
      ...adminRequests.find(r => r.id === id)!,
      status: 'fulfilled' as const,
    })),
    remindApprovers: jest.fn(async (id: string) => ({
      ...adminRequests.find(r => r.id === id)!,
    })),
    listOutbox: jest.fn(async () => ({
      items: deadJobs,
      counts: { pending: 0, running: 0, done: 12, dead: deadJobs.length },
    })),
    retryJob: jest.fn(async (id: string) => ({
      ...deadJobs.find(j => j.id === id)!,
      status: 'pending' as const,
      attempts: 0,
    })),
    listAudit: jest.fn(async (query = {}) => ({
      items: auditEvents.filter(
        e =>
          (!query.type || e.type === query.type) &&
          (!query.actor || e.actor === query.actor) &&
          (!query.appId || e.appId === query.appId) &&
          (!query.requestId || e.requestId === query.requestId),
      ),
    })),
    getChecklist: jest.fn(async () => ({
      steps: (
        ['deny-level-1', 'deny-level-2', 'ignore', 'okta', 'ticket'] as const
      ).map(id => ({ id, seen: false })),
    })),
    downloadAuditCsv: jest.fn(
      async () => new Blob(['id,at,type\n'], { type: 'text/csv' }),
    ),
    getSyncStatus: jest.fn(async () => structuredClone(syncOverview)),
    listMyAccess: jest.fn(async () => ({ items: structuredClone(myGrants) })),
    removeAccess: jest.fn(async (grantId: string) => {
      const grant = myGrants.find(g => g.id === grantId);
      if (!grant) throw responseError(404, 'NotFoundError', 'No grant');
      return { ...grant, status: 'removing' as const };
    }),
    extendAccess: jest.fn(
      async (
        _grantId: string,
        _body: { durationDays: number; justification: string },
      ) => pendingRequest,
    ),
    listAppGrants: jest.fn(async (_appId: string) => ({
      items: structuredClone(myGrants),
    })),
    listRemovals: jest.fn(async () => ({
      items: structuredClone(removals),
    })),
    markGrantRemoved: jest.fn(
      async (grantId: string, _body?: { note?: string }) => ({
        ...removals.find(g => g.id === grantId)!,
        status: 'removed' as const,
      }),
    ),
    revokeGrant: jest.fn(async (grantId: string, reason: string) => ({
      ...myGrants.find(g => g.id === grantId)!,
      status: 'removing' as const,
      removalReason: reason,
    })),
    revokeTier: jest.fn(
      async (
        _appId: string,
        _tierId: string,
        _reason: string,
      ): Promise<{ items: AccessGrant[] }> => ({ items: [] }),
    ),
    ...campaignFakes(),
  };
  return Object.assign(api, overrides);
}
