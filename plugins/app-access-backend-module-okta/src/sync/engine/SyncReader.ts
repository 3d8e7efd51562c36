/** What a reader is handed for each page. */
export type SyncReaderContext = {
  /** Aborted when the caller stops the run or another part of it failed. */
  signal: AbortSignal;
};

/**
 * One page a reader read: the items, and either the cursor of the next page
 * or `done` (the shape of catalog-backend-module-incremental-ingestion's
 * `EntityIteratorResult`).
 */
export type SyncReaderPage<TItem, TCursor = string> =
  | { done: false; items: TItem[]; cursor: TCursor }
  | { done: true; items: TItem[] };

/**
 * One resource of a source, read a page at a time from a cursor. Readers keep
 * no state between pages: the engine saves the cursor after each page, so a
 * run that stops continues from the page it had not finished.
 */
export interface SyncReader<TItem, TCursor = string> {
  /** Progress counts group pages by this name (`pages<Family>`). */
  readonly family: string;
  next(
    context: SyncReaderContext,
    cursor: TCursor | undefined,
  ): Promise<SyncReaderPage<TItem, TCursor>>;
}
