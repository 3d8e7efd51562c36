import type { SyncRun } from '../../../api/AppAccessApi';

/** What the admin sees of the syncs the backend knows by id. */
const SYNC_NAMES: Record<string, { name: string; description: string }> = {
  okta: {
    name: 'Okta',
    description:
      'Users, groups and app assignments from Okta (appAccess.okta.sync)',
  },
  catalog: {
    name: 'Backstage catalog',
    description:
      'People and their groups, copied from the catalog (appAccess.directory.syncEveryMinutes, 30 minutes by default)',
  },
};

export function syncName(id: string): string {
  return SYNC_NAMES[id]?.name ?? id;
}

export function syncDescription(id: string): string | undefined {
  return SYNC_NAMES[id]?.description;
}

export type SyncMode = {
  mode: 'full' | 'incremental';
  /** How often the run was continued from its checkpoint. */
  resumes: number;
};

/**
 * Whether the last (or running) run read everything or only changes, from
 * its counts (`full`: 1 or 0) or else its checkpoint (`run.mode`, `lastMode`).
 * Undefined for syncs that do not say (the catalog copy).
 */
export function syncMode(run: SyncRun): SyncMode | undefined {
  const counts = run.lastCounts ?? {};
  const checkpoint = run.checkpoint ?? {};
  const unfinished = checkpoint.run as { mode?: unknown } | undefined;
  const isMode = (v: unknown): v is SyncMode['mode'] =>
    v === 'full' || v === 'incremental';
  let mode: SyncMode['mode'] | undefined;
  if (typeof counts.full === 'number') {
    mode = counts.full ? 'full' : 'incremental';
  } else if (isMode(unfinished?.mode)) {
    mode = unfinished?.mode as SyncMode['mode'];
  } else if (isMode(checkpoint.lastMode)) {
    mode = checkpoint.lastMode;
  }
  return mode ? { mode, resumes: counts.resumes ?? 0 } : undefined;
}

/** A span of milliseconds the way people say it: "0.4 s", "42 s", "25 min 30 s", "2 h 5 min". */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return '';
  }
  const value = Math.max(0, ms);
  if (value < 10_000) {
    const seconds = Math.round(value / 100) / 10;
    return `${
      seconds === Math.floor(seconds) ? seconds : seconds.toFixed(1)
    } s`;
  }
  const totalSeconds = Math.round(value / 1000);
  if (totalSeconds < 60) {
    return `${totalSeconds} s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) {
    const s = totalSeconds % 60;
    return s ? `${totalMinutes} min ${s} s` : `${totalMinutes} min`;
  }
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

export type SyncCount = {
  key: string;
  label: string;
  value: string;
};

type CountSpec = { label: string; duration?: boolean };

const COUNT_SPECS: Record<string, CountSpec> = {
  people: { label: 'People' },
  users: { label: 'Users' },
  groups: { label: 'Groups' },
  apps: { label: 'Apps' },
  assignments: { label: 'Assignments' },
  http429: { label: '429s received' },
  throttledMs: { label: 'Waiting on rate limits', duration: true },
  resolved: { label: 'People written' },
  peopleFromCatalog: { label: 'People also in the catalog' },
  memberships: { label: 'Group memberships' },
  assignmentsDirect: { label: 'Direct assignments' },
  assignmentsGroup: { label: 'Assignments through groups' },
  appGroups: { label: 'App groups read' },
  appUsers: { label: 'App users read' },
  deactivated: { label: 'Deactivated' },
  removed: { label: 'Removed' },
  events: { label: 'System Log events' },
  refreshed: { label: 'Read again after events' },
  lastUsed: { label: 'Sign-ins recorded' },
  pages: { label: 'Pages read' },
  pagesUsers: { label: 'Pages of users' },
  pagesGroups: { label: 'Pages of groups' },
  pagesApps: { label: 'Pages of apps' },
  pagesLogs: { label: 'Pages of System Log' },
  requests: { label: 'Requests' },
  retries: { label: 'Retries' },
  resumes: { label: 'Resumed from a checkpoint' },
};

/** Labels that mean something else for one sync. */
const SYNC_LABELS: Record<string, Record<string, string>> = {
  okta: {
    users: 'Users read',
    people: 'People only in Okta',
    deactivated: 'Deactivated users',
    removed: 'Removed from Okta',
    requests: 'Requests to Okta',
  },
  catalog: { people: 'People copied' },
};

/** The counts shown large, in this order, when the sync reports them. */
const PRIMARY: Record<string, string[]> = {
  okta: ['users', 'groups', 'apps', 'assignments', 'http429', 'throttledMs'],
};
const DEFAULT_PRIMARY = [
  'people',
  'users',
  'groups',
  'apps',
  'assignments',
  'http429',
  'throttledMs',
];

/** Not shown as counts: `full` is the mode. */
const HIDDEN = new Set(['full']);

function humanizeKey(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLocaleLowerCase();
  return words.charAt(0).toLocaleUpperCase() + words.slice(1);
}

function toCount(syncId: string, key: string, n: number): SyncCount {
  const spec = COUNT_SPECS[key];
  return {
    key,
    label: SYNC_LABELS[syncId]?.[key] ?? spec?.label ?? humanizeKey(key),
    value: spec?.duration ? formatMs(n) : formatCount(n),
  };
}

/**
 * A run's counts in readable form: the key ones (always, zeros too) and the
 * rest (only those above zero; known ones first, then any others by name).
 */
export function syncCounts(run: SyncRun): {
  primary: SyncCount[];
  secondary: SyncCount[];
} {
  const counts = Object.fromEntries(
    Object.entries(run.lastCounts ?? {}).filter(
      ([k, v]) => !HIDDEN.has(k) && typeof v === 'number',
    ),
  );
  const primaryKeys = (PRIMARY[run.id] ?? DEFAULT_PRIMARY).filter(
    k => k in counts,
  );
  const known = Object.keys(COUNT_SPECS);
  const rest = Object.keys(counts)
    .filter(k => !primaryKeys.includes(k) && counts[k] > 0)
    .sort((a, b) => {
      const ia = known.indexOf(a);
      const ib = known.indexOf(b);
      if (ia !== -1 || ib !== -1) {
        if (ia === -1) return 1;
        if (ib === -1) return -1;
        return ia - ib;
      }
      return a.localeCompare(b);
    });
  return {
    primary: primaryKeys.map(k => toCount(run.id, k, counts[k])),
    secondary: rest.map(k => toCount(run.id, k, counts[k])),
  };
}
