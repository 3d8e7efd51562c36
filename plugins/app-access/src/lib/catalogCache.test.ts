import { apps, JANE, SAM } from '../__testUtils__';
import {
  CATALOG_CACHE_KEY,
  CATALOG_CACHE_MAX_AGE_MS,
  forgetCachedCatalog,
  readCachedCatalog,
  writeCachedCatalog,
} from './catalogCache';

describe('catalogCache', () => {
  beforeEach(() => {
    window.sessionStorage.clear();
    forgetCachedCatalog();
  });

  it('gives the catalog back to the user who loaded it only', () => {
    writeCachedCatalog(JANE, apps, 1_000);

    expect(readCachedCatalog(JANE, 2_000)).toEqual(apps);
    expect(readCachedCatalog(SAM, 2_000)).toBeUndefined();
  });

  it('ignores a catalog older than the maximum age', () => {
    writeCachedCatalog(JANE, apps, 1_000);

    expect(
      readCachedCatalog(JANE, 1_000 + CATALOG_CACHE_MAX_AGE_MS),
    ).toBeDefined();
    expect(
      readCachedCatalog(JANE, 1_001 + CATALOG_CACHE_MAX_AGE_MS),
    ).toBeUndefined();
  });

  it('survives a reload of the tab through sessionStorage', () => {
    writeCachedCatalog(JANE, apps, 1_000);
    const stored = window.sessionStorage.getItem(CATALOG_CACHE_KEY);
    forgetCachedCatalog(); // the memory copy is gone, as after a reload
    window.sessionStorage.setItem(CATALOG_CACHE_KEY, stored!);

    expect(readCachedCatalog(JANE, 2_000)).toEqual(apps);
  });

  it('keeps the cached array when a refresh changed nothing', () => {
    const first = writeCachedCatalog(JANE, apps, 1_000);
    const again = writeCachedCatalog(
      JANE,
      apps.map(app => ({ ...app })),
      2_000,
    );
    const changed = writeCachedCatalog(
      JANE,
      [{ ...apps[0], name: 'Slack Enterprise' }, ...apps.slice(1)],
      3_000,
    );

    expect(again).toBe(first);
    expect(changed).not.toBe(first);
    expect(changed[0].name).toBe('Slack Enterprise');
    expect(readCachedCatalog(JANE, 3_000)).toBe(changed);
  });

  it('forgets the catalog, in memory and in sessionStorage', () => {
    writeCachedCatalog(JANE, apps, 1_000);

    forgetCachedCatalog();

    expect(readCachedCatalog(JANE, 2_000)).toBeUndefined();
    expect(window.sessionStorage.getItem(CATALOG_CACHE_KEY)).toBeNull();
  });

  it('treats unreadable storage as no catalog', () => {
    window.sessionStorage.setItem(CATALOG_CACHE_KEY, '{not json');

    expect(readCachedCatalog(JANE, 2_000)).toBeUndefined();
  });
});
