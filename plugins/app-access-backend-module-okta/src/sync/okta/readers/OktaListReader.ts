import { OktaSyncClient } from '../../OktaSyncClient';
import {
  SyncReader,
  SyncReaderContext,
  SyncReaderPage,
} from '../../engine/SyncReader';

/** Okta's maximum page size per list. */
export const OKTA_MAX_PAGE = {
  users: 200,
  groups: 10000,
  groupUsers: 1000,
  apps: 200,
  appGroups: 200,
  appUsers: 500,
  logs: 1000,
};

export type OktaList = keyof typeof OKTA_MAX_PAGE;

/** The page size to ask for: the requested one, capped at Okta's maximum for the list. */
export function oktaPageSize(list: OktaList, requested?: number): number {
  return Math.max(1, Math.min(OKTA_MAX_PAGE[list], requested ?? Infinity));
}

/**
 * One Okta list endpoint, a page at a time: the cursor is Okta's `after`
 * from the Link header. `family` is the rate-limit family the pages count
 * under.
 */
export class OktaListReader<T> implements SyncReader<T> {
  constructor(
    protected readonly client: OktaSyncClient,
    readonly family: string,
    private readonly path: string,
    private readonly query: Record<string, string | number | undefined>,
  ) {}

  async next(
    { signal }: SyncReaderContext,
    cursor: string | undefined,
  ): Promise<SyncReaderPage<T>> {
    const page = await this.client.page<T>(
      this.path,
      { ...this.query, after: cursor },
      signal,
    );
    // An empty page, or a Link that points back at this page, ends the list
    // too: Okta's cursors must not send a reader round in circles.
    if (!page.next || !page.items.length || page.next === cursor) {
      return { done: true, items: page.items };
    }
    return { done: false, items: page.items, cursor: page.next };
  }
}
