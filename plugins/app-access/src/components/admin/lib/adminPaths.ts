import { createContext, useContext } from 'react';
import { useRouteRef } from '@backstage/core-plugin-api';
import { appRouteRef } from '../../../routes';

/**
 * Where the admin pages live: "/apps/admin" inside the App Access page, or
 * wherever an app mounts AppAccessAdminPage on its own. Links between admin
 * pages are built from it, so they work in both places.
 */
export const AdminBaseContext = createContext<string>('/apps/admin');

export type AdminPaths = {
  root: string;
  settings: string;
  apps: string;
  app: (appId: string) => string;
  requests: string;
  request: (requestId: string) => string;
  audit: string;
  checklist: string;
};

export function adminPaths(base: string): AdminPaths {
  const root = base.replace(/\/+$/, '');
  return {
    root,
    settings: `${root}/settings`,
    apps: `${root}/apps`,
    app: appId => `${root}/apps/${encodeURIComponent(appId)}`,
    requests: `${root}/requests`,
    request: requestId => `${root}/requests/${encodeURIComponent(requestId)}`,
    audit: `${root}/audit`,
    checklist: `${root}/checklist`,
  };
}

export function useAdminPaths(): AdminPaths {
  return adminPaths(useContext(AdminBaseContext));
}

/**
 * The employee-facing app page, when the App Access page is mounted; the
 * admin page may be mounted without it.
 */
export function useAppPageLink(): ((appId: string) => string) | undefined {
  try {
    const route = useRouteRef(appRouteRef);
    return (appId: string) => route({ appId });
  } catch {
    return undefined;
  }
}
