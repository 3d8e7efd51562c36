import { CatalogApp } from '@app-access/plugin-app-access-common';

/**
 * The catalog as the signed-in user last loaded it in this browser tab, so
 * that coming back to the Apps page (in the app, or a reload of the tab)
 * shows the apps at once while a fresh copy loads (stale-while-revalidate).
 *
 * Kept in memory and in sessionStorage: per tab, gone when the tab closes,
 * and stored with the user it belongs to, so another user signing in in the
 * same tab never sees it. Never trusted for long: the Apps page refreshes it
 * on every visit, entries older than MAX_AGE_MS are ignored, and the actions
 * that change what the catalog says about the user (a request, a
 * cancellation, removing access, an admin saving an app) forget it.
 */
export const CATALOG_CACHE_KEY = 'app-access:catalog-apps';

/** Older entries are not shown: the page waits for the catalog instead. */
export const CATALOG_CACHE_MAX_AGE_MS = 60 * 60 * 1000;

type Entry = {
  v: 1;
  userRef: string;
  at: number;
  apps: CatalogApp[];
  /** `apps` as JSON, to tell whether a refresh changed anything. */
  json?: string;
};

let memory: Entry | undefined;

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.sessionStorage;
  } catch {
    // Storage disabled (privacy settings): the memory copy still works.
    return undefined;
  }
}

function fresh(entry: Entry | undefined, userRef: string, now: number) {
  return entry &&
    entry.v === 1 &&
    entry.userRef === userRef &&
    Array.isArray(entry.apps) &&
    now - entry.at >= 0 &&
    now - entry.at <= CATALOG_CACHE_MAX_AGE_MS
    ? entry
    : undefined;
}

/** The catalog `userRef` loaded last, unless it is too old or someone else's. */
export function readCachedCatalog(
  userRef: string,
  now = Date.now(),
): CatalogApp[] | undefined {
  if (fresh(memory, userRef, now)) {
    return memory!.apps;
  }
  try {
    const raw = storage()?.getItem(CATALOG_CACHE_KEY);
    const entry = fresh(
      raw ? (JSON.parse(raw) as Entry) : undefined,
      userRef,
      now,
    );
    if (entry) {
      memory = entry;
      return entry.apps;
    }
  } catch {
    // Unreadable: as if there were none.
  }
  return undefined;
}

/**
 * Remembers the whole catalog as `userRef` just loaded it. Returns the apps
 * to show: the cached array itself when nothing changed since it was
 * cached, so a refresh that finds nothing new re-renders nothing.
 */
export function writeCachedCatalog(
  userRef: string,
  apps: CatalogApp[],
  now = Date.now(),
): CatalogApp[] {
  const json = JSON.stringify(apps);
  const same =
    memory?.userRef === userRef &&
    (memory.json ?? JSON.stringify(memory.apps)) === json;
  memory = { v: 1, userRef, at: now, apps: same ? memory!.apps : apps, json };
  try {
    storage()?.setItem(
      CATALOG_CACHE_KEY,
      `{"v":1,"userRef":${JSON.stringify(userRef)},"at":${now},"apps":${json}}`,
    );
  } catch {
    // Over the quota: keep the memory copy only.
    try {
      storage()?.removeItem(CATALOG_CACHE_KEY);
    } catch {
      // Storage unusable.
    }
  }
  return memory.apps;
}

/** Forgets the cached catalog: what it says about the user has changed. */
export function forgetCachedCatalog() {
  memory = undefined;
  try {
    storage()?.removeItem(CATALOG_CACHE_KEY);
  } catch {
    // Nothing to forget.
  }
}
