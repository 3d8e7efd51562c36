import {
  CatalogApp,
  Recommendation,
} from '@app-access/plugin-app-access-common';

export const JANE = 'user:default/jane.doe';
export const SAM = 'user:default/sam.manager';

export const slack: CatalogApp = {
  id: 'slack',
  name: 'Slack',
  vendor: 'Salesforce',
  category: 'Communication',
  description: 'Team chat and channels.',
  url: 'https://slack.com',
  logo: { initials: 'SL', color: '#4a154b' },
  owner: 'group:default/it',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'standard',
      name: 'Standard',
      description: 'A regular member seat.',
      fulfillment: { type: 'okta-group', oktaGroupId: 'g1' },
      needsApproval: false,
    },
  ],
  myRequest: { id: 'req-slack', tierId: 'standard', status: 'fulfilled' },
  peers: { team: 5, role: 9 },
};

export const figma: CatalogApp = {
  id: 'figma',
  name: 'Figma',
  vendor: 'Figma, Inc.',
  category: 'Design',
  description: 'Collaborative interface design.',
  owner: 'group:default/design',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'viewer',
      name: 'Viewer',
      description: 'View and comment on files.',
      fulfillment: { type: 'okta-app', oktaAppId: 'a1' },
      needsApproval: false,
    },
    {
      id: 'editor',
      name: 'Editor',
      description: 'A paid seat that can edit files.',
      fulfillment: { type: 'ticket' },
      needsApproval: true,
    },
  ],
  myRequest: { id: 'req-1', tierId: 'editor', status: 'pending_approval' },
  peers: { team: 0, role: 0 },
};

export const github: CatalogApp = {
  id: 'github',
  name: 'GitHub Enterprise',
  vendor: 'GitHub',
  category: 'Engineering',
  description: 'Source code hosting and reviews.',
  owner: 'group:default/platform',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'member',
      name: 'Member',
      description: 'Organisation member.',
      fulfillment: { type: 'okta-group', oktaGroupId: 'g2' },
      needsApproval: true,
    },
  ],
  peers: { team: 3, role: 14 },
};

export const miro: CatalogApp = {
  id: 'miro',
  name: 'Miro',
  vendor: 'RealtimeBoard',
  category: 'Design',
  description: 'Online whiteboard for workshops.',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'member',
      name: 'Member',
      fulfillment: { type: 'manual' },
      needsApproval: true,
    },
  ],
  myRequest: { id: 'req-miro', tierId: 'member', status: 'denied' },
};

// Miro comes without `peers`, as from a backend without peer usage.
export const apps = [slack, figma, github, miro];

// ------------------------------------------------------------ peer usage

/** Listed apps Jane neither has nor asked for: what her peers recommend. */
export const jira: CatalogApp = {
  id: 'jira',
  name: 'Jira Software',
  vendor: 'Atlassian',
  category: 'Project management',
  description: 'Plan and track work in sprints.',
  owner: 'user:default/olivia.owner',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'user',
      name: 'User',
      fulfillment: { type: 'okta-group', oktaGroupId: 'g3' },
      needsApproval: false,
    },
  ],
  peers: { team: 3, role: 6 },
};

export const notion: CatalogApp = {
  id: 'notion',
  name: 'Notion',
  vendor: 'Notion Labs',
  category: 'Productivity',
  description: 'Docs and wikis.',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'member',
      name: 'Member',
      fulfillment: { type: 'okta-app', oktaAppId: 'a2' },
      needsApproval: false,
    },
  ],
  peers: { team: 2, role: 11 },
};

export const onePassword: CatalogApp = {
  id: '1password',
  name: '1Password',
  vendor: 'AgileBits',
  category: 'Security',
  description: 'Shared vaults for team secrets.',
  listed: true,
  externalIds: {},
  tiers: [
    {
      id: 'business',
      name: 'Business',
      fulfillment: { type: 'okta-app', oktaAppId: 'a3' },
      needsApproval: true,
    },
  ],
  peers: { team: 0, role: 4 },
};

export const recommendations: Recommendation[] = [
  {
    appId: 'jira',
    app: jira,
    team: 3,
    teamSize: 4,
    role: 6,
    roleSize: 20,
    reason: '3 of 4 in platform use it',
  },
  {
    appId: 'notion',
    app: notion,
    team: 2,
    teamSize: 4,
    role: 11,
    roleSize: 20,
    reason: '2 of 4 in platform use it',
  },
  {
    appId: '1password',
    app: onePassword,
    team: 0,
    teamSize: 4,
    role: 4,
    roleSize: 20,
    reason: '4 of 20 people with your title (Software Engineer) use it',
  },
];

/** Every app the fake catalog answers for, listed or recommended. */
export const catalogApps = [...apps, ...recommendations.map(r => r.app)];
