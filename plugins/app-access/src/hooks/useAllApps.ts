import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { appAccessApiRef } from '../api';
import { fetchAllPages } from '../lib/apps';

/** Page size when loading the catalog; the backend caps pages at 200. */
export const APPS_PAGE_SIZE = 200;

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
