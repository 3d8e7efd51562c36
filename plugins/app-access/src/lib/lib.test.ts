import { CatalogApp } from '@app-access/plugin-app-access-common';
import {
  appBadge,
  appCategories,
  appInitials,
  fetchAllPages,
  filterApps,
  heldTierIds,
} from './apps';
import {
  getErrorMessage,
  getErrorStatus,
  plainGeneral,
  splitFieldErrors,
} from './errors';
import {
  formatDuration,
  humanizeRef,
  moduleLabel,
  ownerRef,
  replaceModuleIds,
  today,
  toWebsiteUrl,
} from './format';
import { replaceStatusCodes, statusLabel } from './status';
import {
  categoryTools,
  isAppSort,
  rankByPeerUse,
  roleLabel,
  sortApps,
  teammatesLabel,
} from './peers';

const app = (overrides: Partial<CatalogApp>): CatalogApp => ({
  id: 'x',
  name: 'X',
  category: 'Other',
  listed: true,
  externalIds: {},
  tiers: [],
  ...overrides,
});

describe('errors', () => {
  it('prefers the message from the response body', () => {
    const error = Object.assign(new Error('Request failed with 409'), {
      body: { error: { message: 'Already decided: approved by user:x/y' } },
      response: { status: 409 },
    });
    expect(getErrorMessage(error)).toBe(
      'Already decided: approved by user:x/y',
    );
    expect(getErrorStatus(error)).toBe(409);
    expect(getErrorMessage(new Error('boom'))).toBe('boom');
    expect(getErrorStatus(new Error('boom'))).toBeUndefined();
  });

  it('splits "field: message" parts onto known fields', () => {
    expect(
      splitFieldErrors(
        'justification: required when the tier needs approval; neededBy: must be YYYY-MM-DD; something else broke',
        ['justification', 'neededBy'],
      ),
    ).toEqual({
      fields: {
        justification: 'Required when the tier needs approval',
        neededBy: 'Must be YYYY-MM-DD',
      },
      general: 'something else broke',
    });
    expect(
      splitFieldErrors('You already have an open request r1 for Figma', [
        'justification',
      ]),
    ).toEqual({
      fields: {},
      general: 'You already have an open request r1 for Figma',
    });
  });
});

describe('format', () => {
  const now = Date.parse('2030-01-10T12:00:00Z');
  it('says how long something has waited', () => {
    expect(formatDuration('2030-01-10T11:59:30Z', now)).toBe(
      'less than a minute',
    );
    expect(formatDuration('2030-01-10T11:59:00Z', now)).toBe('1 minute');
    expect(formatDuration('2030-01-10T09:00:00Z', now)).toBe('3 hours');
    expect(formatDuration('2030-01-08T12:00:00Z', now)).toBe('2 days');
    expect(formatDuration('2029-10-01T12:00:00Z', now)).toBe('3 months');
    expect(formatDuration('not a date', now)).toBe('');
  });

  it('humanizes entity refs', () => {
    expect(humanizeRef('user:default/jane.doe')).toBe('jane.doe');
    expect(humanizeRef('group:ops/it')).toBe('ops/it');
    expect(humanizeRef('jane.doe')).toBe('jane.doe');
  });

  it('gives today as a local calendar date', () => {
    expect(today(new Date(2030, 0, 5, 23, 30))).toBe('2030-01-05');
  });
});

describe('apps', () => {
  it('derives badges from the caller’s request', () => {
    expect(appBadge(app({}))).toBeUndefined();
    expect(
      appBadge(app({ myRequest: { id: 'r', status: 'pending_approval' } })),
    ).toBe('requested');
    expect(
      appBadge(app({ myRequest: { id: 'r', status: 'awaiting_it' } })),
    ).toBe('requested');
    expect(appBadge(app({ myRequest: { id: 'r', status: 'fulfilled' } }))).toBe(
      'have',
    );
    expect(
      appBadge(app({ myRequest: { id: 'r', status: 'denied' } })),
    ).toBeUndefined();
  });

  it('filters by every word and by category', () => {
    const apps = [
      app({ id: 'a', name: 'Figma', vendor: 'Figma Inc', category: 'Design' }),
      app({
        id: 'b',
        name: 'Miro',
        description: 'Whiteboard',
        category: 'Design',
      }),
      app({ id: 'c', name: 'Slack', category: 'Chat' }),
    ];
    expect(filterApps(apps, { q: 'white' }).map(a => a.id)).toEqual(['b']);
    expect(filterApps(apps, { q: 'figma inc' }).map(a => a.id)).toEqual(['a']);
    expect(filterApps(apps, { category: 'Design' }).map(a => a.id)).toEqual([
      'a',
      'b',
    ]);
    expect(filterApps(apps, { q: 'slack', category: 'Design' })).toEqual([]);
    expect(appCategories(apps)).toEqual(['Chat', 'Design']);
  });

  it('makes initials', () => {
    expect(appInitials('GitHub Enterprise')).toBe('GE');
    expect(appInitials('slack')).toBe('SL');
  });

  it('follows cursors to the end, and stops on a repeated cursor', async () => {
    const fetchPage = jest.fn(async (cursor?: string) => {
      if (!cursor) return { items: [1, 2], nextCursor: 'c1' };
      if (cursor === 'c1') return { items: [3], nextCursor: 'c2' };
      return { items: [4] };
    });
    await expect(fetchAllPages(fetchPage)).resolves.toEqual([1, 2, 3, 4]);
    expect(fetchPage).toHaveBeenCalledTimes(3);

    const stuck = jest.fn(async () => ({ items: [1], nextCursor: 'same' }));
    await expect(fetchAllPages(stuck)).resolves.toEqual([1, 1]);
  });
});

describe('peer usage helpers', () => {
  const a = app({ id: 'a', name: 'Alpha', peers: { team: 1, role: 9 } });
  const b = app({ id: 'b', name: 'Beta', peers: { team: 3, role: 0 } });
  const c = app({ id: 'c', name: 'Gamma', peers: { team: 1, role: 2 } });
  const d = app({ id: 'd', name: 'Delta' });
  const ids = (list: CatalogApp[]) => list.map(x => x.id);

  it('sorts by name, by team then role, or by role then team', () => {
    expect(ids(sortApps([c, b, d, a], 'name'))).toEqual(['a', 'b', 'd', 'c']);
    expect(ids(sortApps([c, b, d, a], 'team'))).toEqual(['b', 'a', 'c', 'd']);
    expect(ids(sortApps([c, b, d, a], 'role'))).toEqual(['a', 'c', 'b', 'd']);
  });

  it('does not sort in place', () => {
    const list = [c, a];
    sortApps(list, 'name');
    expect(ids(list)).toEqual(['c', 'a']);
  });

  it('ranks only apps someone around uses', () => {
    expect(ids(rankByPeerUse([d, c, a, b]))).toEqual(['b', 'a', 'c']);
  });

  it('labels counts and categories', () => {
    expect(teammatesLabel(1)).toBe('1 teammate');
    expect(teammatesLabel(5)).toBe('5 teammates');
    expect(roleLabel(12)).toBe('12 in your role');
    expect(categoryTools('Project management')).toBe(
      'Project management tools',
    );
    expect(categoryTools('Developer tools')).toBe('Developer tools');
    expect(isAppSort('team')).toBe(true);
    expect(isAppSort('popular')).toBe(false);
  });

  it('knows which tier the user already has', () => {
    expect(
      heldTierIds(
        app({ myRequest: { id: 'r', tierId: 't1', status: 'fulfilled' } }),
      ),
    ).toEqual(['t1']);
    expect(
      heldTierIds(
        app({
          myRequest: { id: 'r', tierId: 't1', status: 'pending_approval' },
        }),
      ),
    ).toEqual([]);
    expect(heldTierIds(app({}))).toEqual([]);
  });
});

describe('ownerRef', () => {
  it('completes an owner to a full ref, groups by default', () => {
    expect(ownerRef('user:olivia.owner')).toBe('user:default/olivia.owner');
    expect(ownerRef('group:default/platform')).toBe('group:default/platform');
    expect(ownerRef('platform')).toBe('group:default/platform');
  });
});

describe('plain words for employees', () => {
  const fromServer = (message: string) =>
    Object.assign(new Error('Request failed with 400'), {
      body: { error: { message } },
    });

  it('turns schema messages into sentences, keeping the field for the form', () => {
    expect(
      getErrorMessage(
        fromServer(
          'justification: String must contain at most 4000 character(s); url: Invalid url',
        ),
      ),
    ).toBe(
      'justification: Too long: use at most 4000 characters; url: Not a web address: enter one like https://example.com',
    );
    expect(getErrorMessage(fromServer('Required'))).toBe('Required');
    expect(
      getErrorMessage(fromServer('comment: Expected string, received number')),
    ).toBe('comment: Must be a string');
  });

  it('names fields no form claims in words', () => {
    expect(plainGeneral('tiers.0.fulfillment.oktaGroupId: not found')).toBe(
      'Okta group id: not found',
    );
    expect(plainGeneral('Already decided: approved')).toBe(
      'Already decided: approved',
    );
  });

  it('uses one label per status, also inside sentences', () => {
    expect(statusLabel('awaiting_it')).toBe('Waiting for IT');
    expect(replaceStatusCodes('it is awaiting_it, not pending_approval')).toBe(
      'it is waiting for IT, not pending approval',
    );
  });

  it('names modules as admins know them', () => {
    expect(moduleLabel('okta-group')).toBe('Okta group');
    expect(moduleLabel('msteams')).toBe('Microsoft Teams');
    expect(moduleLabel('some-vendor')).toBe('Some vendor');
    expect(
      replaceModuleIds("The fulfiller 'okta-app' answered; 'jira' too"),
    ).toBe('The fulfiller Okta app answered; Jira too');
  });

  it('adds https:// to a bare domain and leaves full addresses alone', () => {
    expect(toWebsiteUrl(' excalidraw.com ')).toBe('https://excalidraw.com');
    expect(toWebsiteUrl('http://intranet.example')).toBe(
      'http://intranet.example',
    );
  });
});
