import { AppPeers, CatalogApp } from '@app-access/plugin-app-access-common';

/** Slack's peers with the default privacy setting: teammates named, the rest counted. */
export const slackPeers: AppPeers = {
  appId: 'slack',
  team: {
    count: 5,
    size: 6,
    groups: ['group:default/platform', 'group:default/sre'],
    people: [
      { ref: 'user:default/alex.dev', displayName: 'Alex Dev' },
      { ref: 'user:default/kim.design', displayName: 'Kim Design' },
      { ref: 'user:default/lee.ops' },
      { ref: 'user:default/noor.sre', displayName: 'Noor Sre' },
      { ref: 'user:default/sam.manager', displayName: 'Sam Manager' },
    ],
  },
  role: {
    count: 9,
    size: 20,
    basis: 'title',
    value: 'Software Engineer',
  },
  namesHidden: true,
};

/** GitHub's peers when the company shows everyone's names. */
export const githubPeers: AppPeers = {
  appId: 'github',
  team: {
    count: 3,
    size: 6,
    groups: ['group:default/platform'],
    people: [
      { ref: 'user:default/alex.dev', displayName: 'Alex Dev' },
      { ref: 'user:default/noor.sre', displayName: 'Noor Sre' },
      { ref: 'user:default/lee.ops' },
    ],
  },
  role: {
    count: 14,
    size: 20,
    basis: 'department',
    value: 'Engineering',
    people: [
      { ref: 'user:default/alex.dev', displayName: 'Alex Dev' },
      { ref: 'user:default/ravi.backend', displayName: 'Ravi Backend' },
    ],
  },
  namesHidden: false,
};

const knownPeers: Record<string, AppPeers> = {
  slack: slackPeers,
  github: githubPeers,
};

/** Counts only, as when the privacy setting hides every name. */
function peersFromCounts(app: CatalogApp): AppPeers {
  return {
    appId: app.id,
    team: {
      count: app.peers?.team ?? 0,
      size: 6,
      groups: ['group:default/platform'],
    },
    role: {
      count: app.peers?.role ?? 0,
      size: 20,
      basis: 'title',
      value: 'Software Engineer',
    },
    namesHidden: true,
  };
}

/** The peers the fake backend answers for an app. */
export function peersOf(app: CatalogApp): AppPeers {
  return knownPeers[app.id] ?? peersFromCounts(app);
}
