import { CatalogApp } from '@app-access/plugin-app-access-common';
import type { AppSort } from '../api/AppAccessApi';

export const APP_SORTS: ReadonlyArray<{ value: AppSort; label: string }> = [
  { value: 'name', label: 'Name' },
  { value: 'team', label: 'Popular with my team' },
  { value: 'role', label: 'Popular in my role' },
];

export function isAppSort(value: unknown): value is AppSort {
  return value === 'name' || value === 'team' || value === 'role';
}

/** The app's peer counts; none when the backend sent none. */
export function peerCounts(app: Pick<CatalogApp, 'peers'>): {
  team: number;
  role: number;
} {
  return { team: app.peers?.team ?? 0, role: app.peers?.role ?? 0 };
}

const byName = (a: CatalogApp, b: CatalogApp) => a.name.localeCompare(b.name);

/** Most used first by `first`, then by the other count, then by name. */
function byUse(first: 'team' | 'role') {
  const second = first === 'team' ? 'role' : 'team';
  return (a: CatalogApp, b: CatalogApp) => {
    const pa = peerCounts(a);
    const pb = peerCounts(b);
    return pb[first] - pa[first] || pb[second] - pa[second] || byName(a, b);
  };
}

/** A sorted copy; the apps' `peers` are already loaded, so no round trip. */
export function sortApps(apps: CatalogApp[], sort: AppSort): CatalogApp[] {
  const copy = [...apps];
  return copy.sort(sort === 'name' ? byName : byUse(sort));
}

/** Apps that someone on the team or in the role uses, team first then role. */
export function rankByPeerUse(apps: CatalogApp[]): CatalogApp[] {
  return sortApps(
    apps.filter(app => {
      const { team, role } = peerCounts(app);
      return team > 0 || role > 0;
    }),
    'team',
  );
}

export function teammatesLabel(count: number): string {
  return `${count} ${count === 1 ? 'teammate' : 'teammates'}`;
}

export function roleLabel(count: number): string {
  return `${count} in your role`;
}

/** "Design tools", but "Developer tools" stays as it is. */
export function categoryTools(category: string): string {
  return /\btools?$/i.test(category.trim()) ? category : `${category} tools`;
}
