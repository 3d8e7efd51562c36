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
  campaigns: string;
  campaign: (campaignId: string) => string;
  /** "New campaign", prefilled with an app (and tier) when given. */
  newCampaign: (appId?: string, tierId?: string) => string;
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
    campaigns: `${root}/campaigns`,
    campaign: campaignId =>
      `${root}/campaigns/${encodeURIComponent(campaignId)}`,
    newCampaign: (appId, tierId) => {
      const params = new URLSearchParams();
      if (appId) params.set('appId', appId);
      if (tierId) params.set('tierId', tierId);
      const query = params.toString();
      return `${root}/campaigns/new${query ? `?${query}` : ''}`;
    },
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
