import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { Recommendation } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../api';

/** How many recommendations the Apps page asks for. */
export const RECOMMENDATIONS_LIMIT = 10;

const EMPTY: Recommendation[] = [];

/**
 * What the caller's peers use that the caller does not have. Never fails:
 * recommendations are a nicety, so an error just means none are shown.
 */
export function useRecommendations(
  limit = RECOMMENDATIONS_LIMIT,
): Recommendation[] {
  const api = useApi(appAccessApiRef);
  const { value } = useAsync(async () => {
    try {
      return (await api.listRecommendations({ limit })).items ?? [];
    } catch {
      return [];
    }
  }, [api, limit]);
  return value ?? EMPTY;
}
