import { RequestEvent } from '@app-access/plugin-app-access-common';
import type { OutboxJob, SyncOverview, SyncRun } from '../api/AppAccessApi';
import { hoursAgo } from './hoursAgo';
import {
  awaitingRequest,
  failedRequest,
  fulfilledRequest,
  pendingRequest,
} from './requests';

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
