import { ReactElement } from 'react';
import { Route, Routes, useLocation } from 'react-router-dom';
import type { Entity } from '@backstage/catalog-model';
import {
  ApiRef,
  configApiRef,
  identityApiRef,
} from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  CatalogApi,
  catalogApiRef,
  defaultEntityPresentation,
  EntityPresentationApi,
  entityPresentationApiRef,
  EntityRefPresentation,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import {
  AccessRequest,
  AppAccessSettings,
  AppPeers,
  ApproverPreview,
  CatalogApp,
  PendingApproval,
  Recommendation,
  RequestEvent,
  SettingsResponse,
} from '@app-access/plugin-app-access-common';
import { AppAccessApi, appAccessApiRef } from '../api';
import type {
  AdminApp,
  OutboxJob,
  SettingsUpdate,
  SyncOverview,
  SyncRun,
} from '../api/AppAccessApi';
import { rootRouteRef } from '../routes';

export const JANE = 'user:default/jane.doe';
export const SAM = 'user:default/sam.manager';

export const slack: CatalogApp = {
  id: 'slack',
  name: 'Slack',
  vendor: 'Salesforce',
  category: 'Communication',
  description: 'Team chat and channels.',
  url: 'https://slack.com',
  logo: { initials: 'SL', color: '#4a154b' },
  owner: 'group:default/it',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'standard',
      name: 'Standard',
      description: 'A regular member seat.',
      fulfillment: { type: 'okta-group', oktaGroupId: 'g1' },
      needsApproval: false,
    },
  ],
  myRequest: { id: 'req-slack', tierId: 'standard', status: 'fulfilled' },
  peers: { team: 5, role: 9 },
};

export const figma: CatalogApp = {
  id: 'figma',
  name: 'Figma',
  vendor: 'Figma, Inc.',
  category: 'Design',
  description: 'Collaborative interface design.',
  owner: 'group:default/design',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'viewer',
      name: 'Viewer',
      description: 'View and comment on files.',
      fulfillment: { type: 'okta-app', oktaAppId: 'a1' },
      needsApproval: false,
    },
    {
      id: 'editor',
      name: 'Editor',
      description: 'A paid seat that can edit files.',
      fulfillment: { type: 'ticket' },
      needsApproval: true,
    },
  ],
  myRequest: { id: 'req-1', tierId: 'editor', status: 'pending_approval' },
  peers: { team: 0, role: 0 },
};

export const github: CatalogApp = {
  id: 'github',
  name: 'GitHub Enterprise',
  vendor: 'GitHub',
  category: 'Engineering',
  description: 'Source code hosting and reviews.',
  owner: 'group:default/platform',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'member',
      name: 'Member',
      description: 'Organisation member.',
      fulfillment: { type: 'okta-group', oktaGroupId: 'g2' },
      needsApproval: true,
    },
  ],
  peers: { team: 3, role: 14 },
};

export const miro: CatalogApp = {
  id: 'miro',
  name: 'Miro',
  vendor: 'RealtimeBoard',
  category: 'Design',
  description: 'Online whiteboard for workshops.',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'member',
      name: 'Member',
      fulfillment: { type: 'manual' },
      needsApproval: true,
    },
  ],
  myRequest: { id: 'req-miro', tierId: 'member', status: 'denied' },
};

// Miro comes without `peers`, as from a backend without peer usage.
export const apps = [slack, figma, github, miro];

// ------------------------------------------------------------ peer usage

/** Listed apps Jane neither has nor asked for: what her peers recommend. */
export const jira: CatalogApp = {
  id: 'jira',
  name: 'Jira Software',
  vendor: 'Atlassian',
  category: 'Project management',
  description: 'Plan and track work in sprints.',
  owner: 'user:default/olivia.owner',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'user',
      name: 'User',
      fulfillment: { type: 'okta-group', oktaGroupId: 'g3' },
      needsApproval: false,
    },
  ],
  peers: { team: 3, role: 6 },
};

export const notion: CatalogApp = {
  id: 'notion',
  name: 'Notion',
  vendor: 'Notion Labs',
  category: 'Productivity',
  description: 'Docs and wikis.',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'member',
      name: 'Member',
      fulfillment: { type: 'okta-app', oktaAppId: 'a2' },
      needsApproval: false,
    },
  ],
  peers: { team: 2, role: 11 },
};

export const onePassword: CatalogApp = {
  id: '1password',
  name: '1Password',
  vendor: 'AgileBits',
  category: 'Security',
  description: 'Shared vaults for team secrets.',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'business',
      name: 'Business',
      fulfillment: { type: 'okta-app', oktaAppId: 'a3' },
      needsApproval: true,
    },
  ],
  peers: { team: 0, role: 4 },
};

export const recommendations: Recommendation[] = [
  {
    appId: 'jira',
    app: jira,
    team: 3,
    teamSize: 4,
    role: 6,
    roleSize: 20,
    reason: '3 of 4 in platform use it',
  },
  {
    appId: 'notion',
    app: notion,
    team: 2,
    teamSize: 4,
    role: 11,
    roleSize: 20,
    reason: '2 of 4 in platform use it',
  },
  {
    appId: '1password',
    app: onePassword,
    team: 0,
    teamSize: 4,
    role: 4,
    roleSize: 20,
    reason: '4 of 20 people with your title (Software Engineer) use it',
  },
];

/** Slack's peers with the default privacy setting: teammates named, the rest counted. */
export const slackPeers: AppPeers = {
  appId: 'slack',
  team: {
    count: 5,
    size: 6,
    groups: ['group:default/platform', 'group:default/sre'],
    people: [
      { ref: 'user:default/alex.dev', displayName: 'Alex Dev' },
      { ref: 'user:default/kim.design', displayName: 'Kim Design' },
      { ref: 'user:default/lee.ops' },
      { ref: 'user:default/noor.sre', displayName: 'Noor Sre' },
      { ref: 'user:default/sam.manager', displayName: 'Sam Manager' },
    ],
  },
  role: {
    count: 9,
    size: 20,
    basis: 'title',
    value: 'Software Engineer',
  },
  namesHidden: true,
};

/** GitHub's peers when the company shows everyone's names. */
export const githubPeers: AppPeers = {
  appId: 'github',
  team: {
    count: 3,
    size: 6,
    groups: ['group:default/platform'],
    people: [
      { ref: 'user:default/alex.dev', displayName: 'Alex Dev' },
      { ref: 'user:default/noor.sre', displayName: 'Noor Sre' },
      { ref: 'user:default/lee.ops' },
    ],
  },
  role: {
    count: 14,
    size: 20,
    basis: 'department',
    value: 'Engineering',
    people: [
      { ref: 'user:default/alex.dev', displayName: 'Alex Dev' },
      { ref: 'user:default/ravi.backend', displayName: 'Ravi Backend' },
    ],
  },
  namesHidden: false,
};

const knownPeers: Record<string, AppPeers> = {
  slack: slackPeers,
  github: githubPeers,
};

/** Counts only, as when the privacy setting hides every name. */
function peersFromCounts(app: CatalogApp): AppPeers {
  return {
    appId: app.id,
    team: {
      count: app.peers?.team ?? 0,
      size: 6,
      groups: ['group:default/platform'],
    },
    role: {
      count: app.peers?.role ?? 0,
      size: 20,
      basis: 'title',
      value: 'Software Engineer',
    },
    namesHidden: true,
  };
}

const catalogApps = [...apps, ...recommendations.map(r => r.app)];

const hoursAgo = (hours: number) =>
  new Date(Date.now() - hours * 3_600_000).toISOString();

export const pendingRequest: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appId: 'figma',
  tierId: 'editor',
  appName: 'Figma',
  tierName: 'Editor',
  requester: JANE,
  status: 'pending_approval',
  level: 1,
  justification: 'I design the onboarding flow.',
  neededBy: '2030-01-15',
  createdAt: hoursAgo(5),
  updatedAt: hoursAgo(4),
  events: [
    {
      id: 'e1',
      at: hoursAgo(5),
      actor: JANE,
      type: 'submitted',
      toStatus: 'submitted',
    },
    {
      id: 'e2',
      at: hoursAgo(5),
      actor: 'plugin:app-access',
      type: 'approval_requested',
      fromStatus: 'submitted',
      toStatus: 'pending_approval',
      level: 1,
      data: { approvers: [SAM] },
    },
  ],
  approvals: [
    {
      id: 'task-1',
      requestId: 'req-1',
      level: 1,
      approvers: [SAM],
      status: 'open',
      reminders: 0,
      fallback: false,
      createdAt: hoursAgo(5),
    },
  ],
};

export const fulfilledRequest: AccessRequest = {
  id: 'req-slack',
  kind: 'access',
  appId: 'slack',
  tierId: 'standard',
  appName: 'Slack',
  tierName: 'Standard',
  requester: JANE,
  status: 'fulfilled',
  level: 0,
  externalRef: 'IT-4521',
  externalUrl: 'https://jira.example.com/browse/IT-4521',
  createdAt: hoursAgo(72),
  updatedAt: hoursAgo(48),
  events: [
    { id: 'f1', at: hoursAgo(72), actor: JANE, type: 'submitted' },
    {
      id: 'f2',
      at: hoursAgo(71),
      actor: SAM,
      type: 'approved',
      level: 1,
      comment: 'Welcome aboard',
      fromStatus: 'pending_approval',
      toStatus: 'approved',
    },
    {
      id: 'f3',
      at: hoursAgo(70),
      actor: 'user:default/lee.director',
      type: 'approved',
      level: 2,
      fromStatus: 'pending_approval',
      toStatus: 'approved',
    },
    {
      id: 'f4',
      at: hoursAgo(70),
      actor: 'plugin:app-access',
      type: 'fulfillment_started',
      fromStatus: 'approved',
      toStatus: 'fulfilling',
    },
    {
      id: 'f5',
      at: hoursAgo(69),
      actor: 'plugin:app-access',
      type: 'awaiting_it',
      toStatus: 'awaiting_it',
      data: {
        externalRef: 'IT-4521',
        externalUrl: 'https://jira.example.com/browse/IT-4521',
      },
    },
    {
      id: 'f6',
      at: hoursAgo(48),
      actor: 'user:default/it.admin',
      type: 'marked_fulfilled',
      toStatus: 'fulfilled',
    },
  ],
};

export const failedRequest: AccessRequest = {
  id: 'req-failed',
  kind: 'access',
  appId: 'github',
  tierId: 'member',
  appName: 'GitHub Enterprise',
  tierName: 'Member',
  requester: JANE,
  status: 'failed',
  level: 0,
  failureReason: 'User jane.doe is not in Okta',
  createdAt: hoursAgo(30),
  updatedAt: hoursAgo(29),
  events: [
    { id: 'x1', at: hoursAgo(30), actor: JANE, type: 'submitted' },
    {
      id: 'x2',
      at: hoursAgo(29),
      actor: 'plugin:app-access',
      type: 'fulfillment_failed',
      toStatus: 'failed',
      data: { error: 'User jane.doe is not in Okta' },
    },
  ],
};

export const intakeRequest: AccessRequest = {
  id: 'req-intake',
  kind: 'intake',
  appName: 'Linear',
  requester: JANE,
  status: 'submitted',
  level: 0,
  justification: 'Our team tracks issues there.',
  intake: { name: 'Linear', url: 'https://linear.app', vendor: 'Linear' },
  createdAt: hoursAgo(1),
  updatedAt: hoursAgo(1),
};

export const myRequests = [
  pendingRequest,
  fulfilledRequest,
  failedRequest,
  intakeRequest,
];

export const pendingApprovals: PendingApproval[] = [
  {
    id: 'task-10',
    requestId: 'req-10',
    level: 1,
    approvers: [SAM],
    status: 'open',
    reminders: 0,
    fallback: false,
    createdAt: hoursAgo(3),
    request: {
      id: 'req-10',
      kind: 'access',
      appId: 'github',
      tierId: 'member',
      appName: 'GitHub Enterprise',
      tierName: 'Member',
      requester: 'user:default/alex.dev',
      status: 'pending_approval',
      level: 1,
      justification: 'I am joining the platform team.',
      createdAt: hoursAgo(3),
      updatedAt: hoursAgo(3),
    },
  },
  {
    id: 'task-11',
    requestId: 'req-11',
    level: 2,
    approvers: ['group:default/it'],
    status: 'open',
    reminders: 1,
    fallback: true,
    createdAt: hoursAgo(50),
    request: {
      id: 'req-11',
      kind: 'access',
      appId: 'figma',
      tierId: 'editor',
      appName: 'Figma',
      tierName: 'Editor',
      requester: 'user:default/kim.design',
      status: 'pending_approval',
      level: 2,
      justification: 'Design system work.',
      neededBy: '2030-02-01',
      createdAt: hoursAgo(60),
      updatedAt: hoursAgo(50),
    },
  },
];

export const twoLevelPreview: ApproverPreview = {
  needsApproval: true,
  levels: [
    {
      level: 1,
      approvers: [{ ref: SAM, displayName: 'Sam Manager' }],
      fallback: false,
    },
    {
      level: 2,
      approvers: [{ ref: 'group:default/it', displayName: 'IT' }],
      fallback: true,
    },
  ],
};

export const noApprovalPreview: ApproverPreview = {
  needsApproval: false,
  levels: [],
};

// ------------------------------------------------------------------ admin

export const awaitingRequest: AccessRequest = {
  id: 'req-awaiting',
  kind: 'access',
  appId: 'figma',
  tierId: 'editor',
  appName: 'Figma',
  tierName: 'Editor',
  requester: 'user:default/kim.design',
  status: 'awaiting_it',
  level: 0,
  fulfilledBy: 'jira',
  externalRef: 'IT-77',
  externalUrl: 'https://jira.example.com/browse/IT-77',
  createdAt: hoursAgo(100),
  updatedAt: hoursAgo(90),
  events: [
    {
      id: 'w1',
      at: hoursAgo(100),
      actor: 'user:default/kim.design',
      type: 'submitted',
    },
    {
      id: 'w2',
      at: hoursAgo(90),
      actor: 'plugin:app-access',
      type: 'awaiting_it',
      toStatus: 'awaiting_it',
      data: { externalRef: 'IT-77' },
    },
  ],
};

export const adminRequests: AccessRequest[] = [
  pendingRequest,
  fulfilledRequest,
  failedRequest,
  awaitingRequest,
];

const settingsValues: AppAccessSettings = {
  approvalMethod: 'slack',
  defaultApprovers: ['group:default/it-admins'],
  fallbackApprover: 'user:default/fiona.fallback',
  reminders: { intervalHours: 24, maxCount: 3 },
  ticketing: {
    system: 'jira',
    jira: { serviceDeskId: '1', requestTypeId: '10' },
  },
  notifications: {
    emailFromName: 'App Access',
    emailFromAddress: 'apps@acme.example',
    slackChannel: '#it-requests',
  },
  peers: { roleBasis: 'title', showNames: 'team' },
  branding: { title: 'Acme Apps' },
};

const settingsDefaults: AppAccessSettings = {
  ...settingsValues,
  fallbackApprover: undefined,
  ticketing: { system: 'manual' },
  branding: {},
};

export const settingsResponse: SettingsResponse = {
  values: settingsValues,
  sources: {
    approvalMethod: 'config',
    defaultApprovers: 'config',
    fallbackApprover: 'database',
    reminders: 'default',
    ticketing: 'database',
    notifications: 'config',
    peers: 'default',
    branding: 'database',
  },
  defaults: settingsDefaults,
  modules: {
    fulfillers: ['okta-group', 'okta-app', 'jira', 'manual'],
    notifiers: ['slack', 'email'],
  },
  integrations: {
    email: {
      configured: true,
      installed: true,
      details: { smtpHost: 'smtp.acme.example', dkim: true },
    },
    slack: { configured: true, installed: true },
    msteams: { configured: false, installed: false },
    okta: {
      configured: true,
      installed: true,
      details: { orgUrl: 'https://acme.okta.com' },
    },
    jira: {
      configured: true,
      installed: true,
      details: { baseUrl: 'https://acme.atlassian.net' },
    },
    zendesk: { configured: false, installed: false },
  },
};

const toAdminApp = ({
  myRequest: _m,
  peers: _p,
  ...app
}: CatalogApp): AdminApp => ({
  ...app,
  tiers: app.tiers.map(({ needsApproval: _n, ...tier }) => tier),
  source: 'seed',
  adminModified: false,
});

export const loom: AdminApp = {
  id: 'loom',
  name: 'Loom',
  vendor: 'Atlassian',
  category: 'Communication',
  description: 'Async video messages.',
  logo: { initials: 'LO', color: '#625DF5' },
  owner: 'group:default/it-admins',
  listed: false,
  externalIds: { oktaAppId: '0oaLoom' },
  approval: { required: 'everyone', level1: [{ type: 'manager' }] },
  tiers: [
    {
      id: 'business',
      name: 'Business',
      fulfillment: { type: 'okta-group', oktaGroupId: '00gLoom' },
    },
  ],
  source: 'seed',
  adminModified: false,
};

export const lucidchart: AdminApp = {
  id: 'lucidchart',
  name: 'Lucidchart',
  category: 'Design',
  listed: false,
  externalIds: {},
  tiers: [],
  source: 'admin',
  adminModified: true,
};

export const adminApps: AdminApp[] = [
  ...apps.map(toAdminApp),
  loom,
  lucidchart,
];

export const oktaApps = [
  {
    id: '0oaZoom',
    name: 'zoomus',
    label: 'Zoom',
    logoUrl: 'https://ok.example/zoom.png',
    status: 'ACTIVE',
  },
  // Known: Figma's viewer tier is granted by assignment to it.
  { id: 'a1', name: 'figma', label: 'Figma', status: 'ACTIVE' },
  // Known: Loom's app id.
  { id: '0oaLoom', name: 'loom', label: 'Loom', status: 'ACTIVE' },
];

export const oktaGroups = [
  { id: '00gEng', name: 'Engineering', description: 'All engineers' },
  { id: '00gDesign', name: 'Design tools' },
];

export const deadJobs: OutboxJob[] = [
  {
    id: '42',
    kind: 'fulfill',
    payload: { requestId: 'req-failed' },
    status: 'dead',
    attempts: 5,
    lastError: 'Okta answered 404: user jane.doe not found',
    createdAt: hoursAgo(30),
    updatedAt: hoursAgo(29),
  },
];

/** The Okta sync after an incremental run that met some rate limiting. */
export const oktaSync: SyncRun = {
  id: 'okta',
  status: 'idle',
  checkpoint: {
    since: hoursAgo(1),
    lastFullAt: hoursAgo(20),
    lastMode: 'incremental',
  },
  lastStartedAt: hoursAgo(1.5),
  lastFinishedAt: hoursAgo(1),
  lastDurationMs: 1_530_000,
  lastCounts: {
    full: 0,
    users: 12480,
    groups: 640,
    apps: 212,
    memberships: 51230,
    events: 318,
    people: 12,
    peopleFromCatalog: 12468,
    assignments: 48210,
    assignmentsDirect: 9120,
    assignmentsGroup: 39090,
    deactivated: 37,
    removed: 4,
    pages: 1893,
    requests: 2105,
    http429: 3,
    throttledMs: 754_000,
    retries: 2,
    resumes: 1,
  },
};

/** The copy of the catalog's people. */
export const catalogSync: SyncRun = {
  id: 'catalog',
  status: 'idle',
  lastStartedAt: hoursAgo(0.25),
  lastFinishedAt: hoursAgo(0.25),
  lastDurationMs: 4200,
  lastCounts: { people: 12468 },
};

export const syncOverview: SyncOverview = {
  items: [catalogSync, oktaSync],
  people: 12480,
};

export const auditEvents: RequestEvent[] = [
  ...[pendingRequest, fulfilledRequest, failedRequest, awaitingRequest]
    .flatMap(r =>
      (r.events ?? []).map(e => ({ ...e, requestId: r.id, appId: r.appId })),
    )
    .sort((a, b) => b.at.localeCompare(a.at)),
  {
    id: 's1',
    at: hoursAgo(200),
    actor: 'user:default/ivan.admin',
    type: 'settings_changed',
    data: { reminders: { intervalHours: 24, maxCount: 3 } },
  },
];

function matches(app: AdminApp, q?: string) {
  const words = (q ?? '').toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const hay = [app.name, app.vendor, app.category, app.id]
    .filter(Boolean)
    .join(' ')
    .toLocaleLowerCase();
  return words.every(w => hay.includes(w));
}

/** A fake settings store: PUT merges, null goes back to the defaults. */
function fakeSettings() {
  let current: SettingsResponse = structuredClone(settingsResponse);
  return {
    get: async () => structuredClone(current),
    update: async (changes: SettingsUpdate) => {
      const next = structuredClone(current);
      for (const [key, value] of Object.entries(changes) as Array<
        [keyof AppAccessSettings, unknown]
      >) {
        if (value === null) {
          (next.values as Record<string, unknown>)[key] = structuredClone(
            next.defaults[key],
          );
          next.sources[key] =
            settingsResponse.sources[key] === 'default' ? 'default' : 'config';
        } else if (value !== undefined) {
          (next.values as Record<string, unknown>)[key] = value;
          next.sources[key] = 'database';
        }
      }
      current = next;
      return structuredClone(current);
    },
  };
}

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
      return knownPeers[appId] ?? peersFromCounts(app);
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
          matches(a, query.q),
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
    markFulfilled: jest.fn(async (id: string) => ({
      ...adminRequests.find(r => r.id === id)!,
      status: 'fulfilled' as const,
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
    downloadAuditCsv: jest.fn(
      async () => new Blob(['id,at,type\n'], { type: 'text/csv' }),
    ),
    getSyncStatus: jest.fn(async () => structuredClone(syncOverview)),
  };
  return Object.assign(api, overrides);
}

/** An error shaped like ResponseError.fromResponse produces. */
export function responseError(status: number, name: string, message: string) {
  const cause = Object.assign(new Error(message), { name });
  return Object.assign(new Error(`Request failed with ${status}`), {
    name: 'ResponseError',
    body: {
      error: { name, message },
      response: { statusCode: status },
    },
    cause,
    response: { status },
    statusCode: status,
  });
}

/** Stands in for every other page, so navigation can be asserted. */
const LocationProbe = () => {
  const { pathname } = useLocation();
  return <div>Now at {pathname}</div>;
};

export type RenderOptions = {
  api: AppAccessApi;
  /** Route pattern the element is mounted at. */
  path?: string;
  /** The URL to start at. */
  route?: string;
  userEntityRef?: string;
  /** Permission decisions; without it the app has no permission API. */
  permissionApi?: PermissionApi;
  catalogApi?: CatalogApi;
  /** app-config for the test, e.g. `{ organization: { name: 'Acme' } }`. */
  config?: NonNullable<Parameters<typeof mockApis.config>[0]>['data'];
  /** Elements rendered next to the routes, e.g. a sidebar item. */
  sidebar?: ReactElement;
  /** Display names the catalog knows, by entity ref; without it refs are shown short. */
  displayNames?: Record<string, string>;
  /** The entity presentation API, e.g. batchingEntityPresentationApi(catalogApi); wins over displayNames. */
  entityPresentationApi?: EntityPresentationApi;
};

/** Entity presentation as the catalog plugin's does it, for a few known people and groups. */
export function fakeEntityPresentationApi(
  displayNames: Record<string, string>,
): EntityPresentationApi {
  return {
    forEntity(entityOrRef, context) {
      const fallback = defaultEntityPresentation(entityOrRef, context);
      const name = displayNames[fallback.entityRef];
      const snapshot = name
        ? {
            ...fallback,
            primaryTitle: name,
            secondaryTitle: fallback.entityRef,
          }
        : fallback;
      return { snapshot, promise: Promise.resolve(snapshot) };
    },
  };
}

type SnapshotObservable = NonNullable<EntityRefPresentation['update$']>;
type Snapshot = EntityRefPresentation['snapshot'];

/** The value a promise resolves to, as an observable (nothing when it fails). */
function observe(promise: Promise<Snapshot>): SnapshotObservable {
  const observable = {
    [Symbol.observable]: () => observable,
    subscribe(
      observerOrNext?:
        | { next?: (v: Snapshot) => void; complete?: () => void }
        | ((v: Snapshot) => void),
      _onError?: (e: Error) => void,
      onComplete?: () => void,
    ) {
      const observer =
        typeof observerOrNext === 'function'
          ? { next: observerOrNext, complete: onComplete }
          : observerOrNext ?? {};
      let closed = false;
      promise.then(value => {
        if (!closed) {
          observer.next?.(value);
          observer.complete?.();
        }
      });
      return {
        unsubscribe: () => {
          closed = true;
        },
        get closed() {
          return closed;
        },
      };
    },
  };
  return observable as SnapshotObservable;
}

/**
 * Entity presentation the way the catalog plugin's DefaultEntityPresentationApi
 * does it in the app: the refs asked for at about the same time are looked up
 * in one `getEntitiesByRefs` call (and each ref once); until then, and when the
 * catalog fails or does not know someone, the short ref.
 */
export function batchingEntityPresentationApi(
  catalogApi: CatalogApi,
): EntityPresentationApi {
  const loads = new Map<string, Promise<Entity | undefined>>();
  let queue: Array<{
    ref: string;
    resolve: (entity: Entity | undefined) => void;
    reject: (error: unknown) => void;
  }> = [];

  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      const { items } = await catalogApi.getEntitiesByRefs({
        entityRefs: batch.map(b => b.ref),
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile.displayName',
        ],
      });
      batch.forEach((b, i) => b.resolve(items[i] ?? undefined));
    } catch (error) {
      batch.forEach(b => b.reject(error));
    }
  };

  const load = (ref: string) => {
    let loading = loads.get(ref);
    if (!loading) {
      loading = new Promise<Entity | undefined>((resolve, reject) => {
        if (queue.length === 0) {
          setTimeout(flush, 10);
        }
        queue.push({ ref, resolve, reject });
      });
      loads.set(ref, loading);
    }
    return loading;
  };

  return {
    forEntity(entityOrRef, context) {
      const snapshot = defaultEntityPresentation(entityOrRef, context);
      if (typeof entityOrRef !== 'string') {
        return { snapshot, promise: Promise.resolve(snapshot) };
      }
      const promise = load(entityOrRef).then(
        entity =>
          entity ? defaultEntityPresentation(entity, context) : snapshot,
        () => snapshot,
      );
      return { snapshot, update$: observe(promise), promise };
    },
  };
}

/** A permission API that allows (or denies) every App Access permission, or those `allow` accepts. */
export function fakePermissionApi(
  allow: boolean | ((permissionName: string) => boolean) = true,
): jest.Mocked<PermissionApi> {
  type Response = Awaited<ReturnType<PermissionApi['authorize']>>;
  return {
    authorize: jest.fn(async request => {
      const allowed =
        typeof allow === 'function' ? allow(request.permission.name) : allow;
      return { result: allowed ? 'ALLOW' : 'DENY' } as unknown as Response;
    }),
  };
}

/** Renders an element the way the plugin's router would mount it. */
export function renderInPlugin(element: ReactElement, options: RenderOptions) {
  const {
    api,
    path = '/apps',
    route = '/apps',
    userEntityRef = JANE,
    permissionApi,
    catalogApi,
    config,
    sidebar,
    displayNames,
    entityPresentationApi,
  } = options;
  const apis: Array<readonly [ApiRef<any>, any]> = [
    [appAccessApiRef, api],
    [identityApiRef, mockApis.identity({ userEntityRef })],
  ];
  if (permissionApi) {
    apis.push([permissionApiRef, permissionApi]);
  }
  if (catalogApi) {
    apis.push([catalogApiRef, catalogApi]);
  }
  if (config) {
    apis.push([configApiRef, mockApis.config({ data: config })]);
  }
  if (entityPresentationApi) {
    apis.push([entityPresentationApiRef, entityPresentationApi]);
  } else if (displayNames) {
    apis.push([
      entityPresentationApiRef,
      fakeEntityPresentationApi(displayNames),
    ]);
  }
  return renderInTestApp(
    <TestApiProvider apis={apis as any}>
      {sidebar}
      <Routes>
        <Route path={path} element={element} />
        <Route path="*" element={<LocationProbe />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: {
        '/apps': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}
