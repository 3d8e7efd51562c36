import {
  CatalogApp,
  OPEN_STATUSES,
  Paginated,
} from '@app-access/plugin-app-access-common';

/** What the catalog says about the caller and an app. */
export type AppBadgeKind = 'requested' | 'have';

export function appBadge(app: CatalogApp): AppBadgeKind | undefined {
  const status = app.myRequest?.status;
  if (!status) {
    return undefined;
  }
  if (status === 'fulfilled') {
    return 'have';
  }
  return OPEN_STATUSES.includes(status) ? 'requested' : undefined;
}

export function hasOpenRequest(app: CatalogApp): boolean {
  return appBadge(app) === 'requested';
}

/** The tier of the caller's open request: that tier cannot be asked for twice. */
export function openRequestTierId(app: CatalogApp): string | undefined {
  return hasOpenRequest(app) ? app.myRequest?.tierId : undefined;
}

/** Tiers the caller already has: their fulfilled request is for that tier. */
export function heldTierIds(app: CatalogApp): string[] {
  const mine = app.myRequest;
  return mine?.status === 'fulfilled' && mine.tierId ? [mine.tierId] : [];
}

export type AppFilter = { q?: string; category?: string };

export function filterApps(
  apps: CatalogApp[],
  { q, category }: AppFilter,
): CatalogApp[] {
  const words = (q ?? '').toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return apps.filter(app => {
    if (category && app.category !== category) {
      return false;
    }
    if (words.length === 0) {
      return true;
    }
    const haystack = searchText(app);
    return words.every(word => haystack.includes(word));
  });
}

/** Lowercased search text per app object, built once instead of per keystroke. */
const searchTexts = new WeakMap<CatalogApp, string>();

function searchText(app: CatalogApp): string {
  let text = searchTexts.get(app);
  if (text === undefined) {
    text = [app.name, app.vendor, app.category, app.description]
      .filter(Boolean)
      .join(' ')
      .toLocaleLowerCase();
    searchTexts.set(app, text);
  }
  return text;
}

export function appCategories(apps: CatalogApp[]): string[] {
  return Array.from(
    new Set(apps.map(app => app.category).filter(Boolean)),
  ).sort((a, b) => a.localeCompare(b));
}

export function appInitials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return '?';
  }
  if (words.length === 1) {
    return words[0].slice(0, 2).toLocaleUpperCase();
  }
  return (words[0][0] + words[1][0]).toLocaleUpperCase();
}

const LOGO_COLOURS = [
  '#1565c0',
  '#2e7d32',
  '#6a1b9a',
  '#c62828',
  '#ef6c00',
  '#00838f',
  '#4527a0',
  '#ad1457',
  '#37474f',
  '#558b2f',
];

/** A stable colour per app, so logos without one still tell apps apart. */
export function colourFor(key: string): string {
  let hash = 0;
  for (let i = 0; i < key.length; i++) {
    hash = (hash * 31 + key.charCodeAt(i)) | 0;
  }
  return LOGO_COLOURS[Math.abs(hash) % LOGO_COLOURS.length];
}

/**
 * Follows nextCursor until the end. Capped so a backend that keeps handing
 * out the same cursor cannot spin the browser forever.
 */
export async function fetchAllPages<T>(
  fetchPage: (cursor?: string) => Promise<Paginated<T>>,
  maxPages = 100,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    if (!result.nextCursor || result.nextCursor === cursor) {
      break;
    }
    cursor = result.nextCursor;
  }
  return items;
}
