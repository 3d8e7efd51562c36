import { useCallback, useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { CatalogApp, Paginated } from '@app-access/plugin-app-access-common';
import { AppAccessApi, appAccessApiRef } from '../api';
import { fetchAllPages } from '../lib/apps';
import { readCachedCatalog, writeCachedCatalog } from '../lib/catalogCache';

/** Page size when loading the catalog; the backend caps pages at 200. */
export const APPS_PAGE_SIZE = 200;

/** A backend that keeps handing out cursors cannot spin the browser forever. */
const MAX_PAGES = 100;

/**
 * The whole listed catalog. Loaded once and filtered in the browser: even a
 * large catalog (~1,000 apps) is small, and filtering locally keeps typing in
 * the search box instant.
 */
export function useAllApps() {
  const api = useApi(appAccessApiRef);
  return useAsyncRetry(
    () =>
      fetchAllPages(cursor => api.listApps({ limit: APPS_PAGE_SIZE, cursor })),
    [api],
  );
}

/** A first page asked for this long ago is not used any more. */
const PREFETCH_MAX_AGE_MS = 5_000;

const firstPages = new WeakMap<
  AppAccessApi,
  { page: Promise<Paginated<CatalogApp>>; at: number }
>();

/**
 * Asks for the catalog's first page while the page renders. On a cold load
 * the first render of the page (its MUI components' style sheets, the
 * header) took a few hundred milliseconds in a CPU profile of the production
 * build, and an effect only runs after it: the request now goes out first.
 */
function prefetchFirstPage(api: AppAccessApi) {
  if (!firstPages.has(api)) {
    const page = api.listApps({ limit: APPS_PAGE_SIZE, cursor: undefined });
    // Whoever takes it handles its failure; one nobody takes is no error.
    page.catch(() => undefined);
    firstPages.set(api, { page, at: Date.now() });
  }
}

/** The prefetched first page, once: a retry or a later visit asks again. */
function takeFirstPage(api: AppAccessApi) {
  const entry = firstPages.get(api);
  firstPages.delete(api);
  return entry && Date.now() - entry.at <= PREFETCH_MAX_AGE_MS
    ? entry.page
    : undefined;
}

/** The catalog as the Apps page shows it while it loads. */
export type CatalogAppsState = {
  /**
   * The apps to show: the pages loaded so far, or the catalog as this user
   * loaded it earlier in this tab while it is refreshed. Undefined until
   * either is there.
   */
  apps?: CatalogApp[];
  /** Whether `apps` is the whole catalog (all pages, or the cached copy). */
  complete: boolean;
  /** Whether pages are being loaded (the first, the rest, or a refresh). */
  loading: boolean;
  /** Whether `apps` is the copy loaded earlier (refreshing, or the refresh failed). */
  cached: boolean;
  /** Why the last load stopped; `apps` keeps what was loaded before it. */
  error?: Error;
};

type LoadState = CatalogAppsState & {
  /** Where a failed load resumes: the apps so far and the next cursor. */
  resume?: { apps: CatalogApp[]; cursor?: string };
};

/**
 * The whole listed catalog for the Apps page, shown as early as possible:
 *
 * - the first page as soon as it arrives, the rest appended page by page
 *   (`complete` says when it is all there, so counts can say "so far");
 * - on a later visit in the same tab, the catalog as this user loaded it
 *   last (lib/catalogCache) at once, replaced by a fresh copy once every page
 *   of it has arrived (stale-while-revalidate; the same array is kept when
 *   nothing changed, so nothing re-renders);
 * - a page that fails keeps what was loaded; `retry` resumes at that page.
 */
export function useCatalogApps(): CatalogAppsState & { retry: () => void } {
  const api = useApi(appAccessApiRef);
  const identityApi = useApi(identityApiRef);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<LoadState>({
    complete: false,
    loading: true,
    cached: false,
  });
  const stateRef = useRef(state);
  stateRef.current = state;
  // During the first render, not in the effect (see prefetchFirstPage).
  useState(() => prefetchFirstPage(api));

  useEffect(() => {
    let cancelled = false;
    const resume = stateRef.current.resume;
    const fetchPage = (cursor?: string): Promise<Paginated<CatalogApp>> =>
      api.listApps({ limit: APPS_PAGE_SIZE, cursor });
    // Asked for at once: the identity is known by now, but is read async.
    let next: Promise<Paginated<CatalogApp>> | undefined = resume
      ? fetchPage(resume.cursor)
      : takeFirstPage(api) ?? fetchPage(undefined);
    // Handled below; not an unhandled rejection while the identity is read.
    next.catch(() => undefined);

    (async () => {
      let apps = resume?.apps ?? [];
      let cursor = resume?.cursor;
      let cached: CatalogApp[] | undefined;
      try {
        const { userEntityRef } = await identityApi.getBackstageIdentity();
        if (!resume) {
          cached = readCachedCatalog(userEntityRef);
          if (cancelled) {
            return;
          }
          setState(
            cached
              ? { apps: cached, complete: true, loading: true, cached: true }
              : s => ({ ...s, loading: true, error: undefined }),
          );
        } else {
          setState(s => ({ ...s, loading: true, error: undefined }));
        }
        for (let n = 0; n < MAX_PAGES && next; n++) {
          const page: Paginated<CatalogApp> = await next;
          if (cancelled) {
            return;
          }
          apps = apps.concat(page.items);
          const done = !page.nextCursor || page.nextCursor === cursor;
          cursor = page.nextCursor;
          next = done || n + 1 >= MAX_PAGES ? undefined : fetchPage(cursor);
          if (next) {
            // Pages so far are shown, unless the cached copy is (then the
            // fresh one replaces it whole, so counts never go backwards).
            if (!cached) {
              const shown = apps;
              setState({
                apps: shown,
                complete: false,
                loading: true,
                cached: false,
              });
            }
          }
        }
        const whole = writeCachedCatalog(userEntityRef, apps);
        setState({
          apps: whole,
          complete: true,
          loading: false,
          cached: false,
        });
      } catch (e) {
        if (cancelled) {
          return;
        }
        setState(
          cached
            ? {
                apps: cached,
                complete: true,
                loading: false,
                cached: true,
                error: e as Error,
              }
            : {
                apps: apps.length > 0 ? apps : undefined,
                complete: false,
                loading: false,
                cached: false,
                error: e as Error,
                resume: apps.length > 0 ? { apps, cursor } : undefined,
              },
        );
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, identityApi, attempt]);

  const retry = useCallback(() => setAttempt(a => a + 1), []);
  const { apps, complete, loading, cached, error } = state;
  return { apps, complete, loading, cached, error, retry };
}
