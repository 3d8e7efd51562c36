import { CatalogApp } from '@app-access/plugin-app-access-common';
import type { AdminApp } from '../api/AppAccessApi';
import { apps } from './catalogApps';

const toAdminApp = ({
  myRequest: _m,
  peers: _p,
  ...app
}: CatalogApp): AdminApp => ({
  ...app,
  tiers: app.tiers.map(({ needsApproval: _n, ...tier }) => tier),
  source: 'seed',
  adminModified: false,
});

export const loom: AdminApp = {
  id: 'loom',
  name: 'Loom',
  vendor: 'Atlassian',
  category: 'Communication',
  description: 'Async video messages.',
  logo: { initials: 'LO', color: '#625DF5' },
  owner: 'group:default/it-admins',
  listed: false,
  externalIds: { oktaAppId: '0oaLoom' },
  approval: { required: 'everyone', level1: [{ type: 'manager' }] },
  tiers: [
    {
      id: 'business',
      name: 'Business',
      fulfillment: { type: 'okta-group', oktaGroupId: '00gLoom' },
    },
  ],
  source: 'seed',
  adminModified: false,
};

export const lucidchart: AdminApp = {
  id: 'lucidchart',
  name: 'Lucidchart',
  category: 'Design',
  listed: false,
  externalIds: {},
  tiers: [],
  source: 'admin',
  adminModified: true,
};

export const adminApps: AdminApp[] = [
  ...apps.map(toAdminApp),
  loom,
  lucidchart,
];

export const oktaApps = [
  {
    id: '0oaZoom',
    name: 'zoomus',
    label: 'Zoom',
    logoUrl: 'https://ok.example/zoom.png',
    status: 'ACTIVE',
  },
  // Known: Figma's viewer tier is granted by assignment to it.
  { id: 'a1', name: 'figma', label: 'Figma', status: 'ACTIVE' },
  // Known: Loom's app id.
  { id: '0oaLoom', name: 'loom', label: 'Loom', status: 'ACTIVE' },
];

export const oktaGroups = [
  { id: '00gEng', name: 'Engineering', description: 'All engineers' },
  { id: '00gDesign', name: 'Design tools' },
];

/** The admin list search: every word somewhere in name, vendor, category or id. */
export function matchesQuery(app: AdminApp, q?: string) {
  const words = (q ?? '').toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const hay = [app.name, app.vendor, app.category, app.id]
    .filter(Boolean)
    .join(' ')
    .toLocaleLowerCase();
  return words.every(w => hay.includes(w));
}
