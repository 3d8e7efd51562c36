import { useCallback, useEffect, useState } from 'react';

/**
 * A list read page by page with "Load more": the first page whenever
 * `fetchPage` changes (new filters) or `reloadKey` does, later pages appended
 * by `loadMore()`.
 */
export function useCursorPages<T>(
  fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>,
  reloadKey?: unknown,
) {
  const [items, setItems] = useState<T[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (from?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await fetchPage(from);
        setItems(prev =>
          from ? [...(prev ?? []), ...page.items] : page.items,
        );
        setCursor(page.nextCursor);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    load();
  }, [load, reloadKey]);

  return {
    items,
    /** Whether there is a next page. */
    cursor,
    error,
    loading,
    loadMore: () => load(cursor),
  };
}
