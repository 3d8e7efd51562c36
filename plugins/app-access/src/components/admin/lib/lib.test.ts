import {
  appToDraft,
  draftToApp,
  emptyDraft,
  emptyTier,
  knownFields,
  moveTierErrors,
  validateDraft,
} from './appDraft';
import { CHECKLIST_STEPS, checklistEvidence } from './checklist';
import { dayToIso } from './download';
import { mapServerErrors } from './fieldErrors';
import {
  changedKeys,
  changesBody,
  formFromValues,
  validateSettings,
} from './settingsForm';
import { formatMs, syncCounts, syncMode } from './syncStatus';
import { slugify } from './validation';
import { settingsResponse } from '../../../__testUtils__';

const validDraft = () => ({
  ...emptyDraft(),
  id: 'notion',
  name: 'Notion',
  category: 'Productivity',
  listed: true,
  tiers: [{ ...emptyTier(), id: 'member', name: 'Member' }],
});

describe('app drafts', () => {
  it('mirrors the backend rules field by field', () => {
    expect(validateDraft(validDraft())).toEqual({});
    expect(
      validateDraft({
        ...validDraft(),
        id: 'Not A Slug',
        name: ' ',
        category: '',
      }),
    ).toEqual({
      id: 'Use lowercase letters, digits and dashes',
      name: 'Name the app',
      category: 'Pick or type a category',
    });
    expect(validateDraft({ ...validDraft(), tiers: [] }).tiers).toBe(
      'An app listed in the catalog needs at least one tier',
    );
    expect(
      validateDraft({ ...validDraft(), listed: false, tiers: [] }),
    ).toEqual({});
    const four = [1, 2, 3, 4].map(i => ({
      ...emptyTier(),
      id: `t${i}`,
      name: `T${i}`,
    }));
    expect(validateDraft({ ...validDraft(), tiers: four }).tiers).toBe(
      'An app has at most 3 license tiers',
    );
    const dup = [
      { ...emptyTier(), id: 'member', name: 'A' },
      { ...emptyTier(), id: 'member', name: 'B' },
    ];
    expect(validateDraft({ ...validDraft(), tiers: dup })).toEqual({
      'tiers.1.id': "Duplicate tier id 'member'",
    });
    expect(
      validateDraft({
        ...validDraft(),
        url: 'not a url',
        owner: 'jane',
        logoInitials: 'ABCDE',
      }),
    ).toEqual({
      url: 'Must be a URL',
      owner: 'Must be a user or group entity ref such as user:default/jane.doe',
      'logo.initials': 'Use at most 4 characters',
    });
  });

  it('checks policies: except needs groups, level 2 needs level 1, refs by kind', () => {
    const tier = {
      ...emptyTier('okta-group'),
      id: 'pro',
      name: 'Pro',
      ownPolicy: true,
      approval: {
        required: 'except' as const,
        exceptGroups: [],
        level1: [],
        level2: [{ type: 'user' as const, ref: 'group:default/it' }],
      },
    };
    expect(validateDraft({ ...validDraft(), tiers: [tier] })).toEqual({
      'tiers.0.approval.exceptGroups':
        'Pick the groups whose members need no approval',
      'tiers.0.approval.level2.0.ref':
        'Must be a user entity ref such as user:default/jane.doe',
      'tiers.0.approval.level2': 'A second level needs a first level',
      'tiers.0.fulfillment.oktaGroupId': 'Pick the Okta group',
    });
  });

  it('sends only what the strict backend schema knows', () => {
    const draft = appToDraft({
      id: 'figma',
      name: 'Figma ',
      category: 'Design',
      vendor: '',
      listed: true,
      externalIds: { oktaAppId: 'a1', empty: '' },
      approval: { required: 'everyone', level1: [{ type: 'manager' }] },
      tiers: [
        {
          id: 'viewer',
          name: 'Viewer',
          needsApproval: false,
          fulfillment: { type: 'okta-app', oktaAppId: 'a1' },
        },
        {
          id: 'editor',
          name: 'Editor',
          approval: {
            required: 'everyone',
            level1: [{ type: 'manager' }],
            level2: [{ type: 'group', ref: 'group:default/design' }],
          },
          fulfillment: { type: 'ticket' },
        },
      ],
      createdAt: '2030-01-01T00:00:00Z',
    });
    expect(draftToApp(draft)).toEqual({
      id: 'figma',
      name: 'Figma',
      category: 'Design',
      listed: true,
      externalIds: { oktaAppId: 'a1' },
      approval: { required: 'everyone', level1: [{ type: 'manager' }] },
      tiers: [
        {
          id: 'viewer',
          name: 'Viewer',
          fulfillment: { type: 'okta-app', oktaAppId: 'a1' },
        },
        {
          id: 'editor',
          name: 'Editor',
          approval: {
            required: 'everyone',
            level1: [{ type: 'manager' }],
            level2: [{ type: 'group', ref: 'group:default/design' }],
          },
          fulfillment: { type: 'ticket' },
        },
      ],
    });
  });

  it('moves per-tier errors with their tiers', () => {
    expect(
      moveTierErrors({ name: 'x', 'tiers.0.id': 'a', 'tiers.1.name': 'b' }, i =>
        i === 0 ? 1 : 0,
      ),
    ).toEqual({ name: 'x', 'tiers.1.id': 'a', 'tiers.0.name': 'b' });
  });

  it('makes slugs', () => {
    expect(slugify('GitHub Enterprise')).toBe('github-enterprise');
    expect(slugify('  Café & Co. ')).toBe('cafe-co');
  });
});

describe('server errors', () => {
  it('lands on the longest known field, the rest is general', () => {
    const fields = knownFields(validDraft());
    expect(
      mapServerErrors(
        'tiers.0.id: must be lowercase letters, digits and dashes; tiers: an app has at most 3 license tiers; something else',
        fields,
      ),
    ).toEqual({
      fields: {
        'tiers.0.id': 'Must be lowercase letters, digits and dashes',
        tiers: 'An app has at most 3 license tiers',
      },
      general: 'something else',
    });
    expect(
      mapServerErrors(
        'defaultApprovers.1: must be a user or group entity ref',
        ['defaultApprovers'],
      ).fields,
    ).toEqual({ defaultApprovers: 'Must be a user or group entity ref' });
  });
});

describe('settings form', () => {
  const values = settingsResponse.values;

  it('sends only the keys that changed, and null for an emptied fallback', () => {
    const form = formFromValues(values);
    expect(
      changedKeys(form, values, [
        'approvalMethod',
        'defaultApprovers',
        'fallbackApprover',
        'reminders',
        'ticketing',
        'notifications',
        'peers',
        'branding',
      ]),
    ).toEqual([]);
    const edited = {
      ...form,
      'reminders.intervalHours': '12',
      fallbackApprover: '',
      'ticketing.zendesk.tags': 'a, b',
    };
    const keys = changedKeys(edited, values, [
      'fallbackApprover',
      'reminders',
      'ticketing',
    ]);
    expect(keys).toEqual(['fallbackApprover', 'reminders', 'ticketing']);
    expect(changesBody(edited, keys)).toEqual({
      fallbackApprover: null,
      reminders: { intervalHours: 12, maxCount: 3 },
      ticketing: {
        system: 'jira',
        jira: { serviceDeskId: '1', requestTypeId: '10' },
        zendesk: { tags: ['a', 'b'] },
      },
    });
  });

  it('validates like the backend', () => {
    const form = {
      ...formFromValues(values),
      'reminders.intervalHours': '0',
      'reminders.maxCount': '2.5',
      'ticketing.jira.serviceDeskId': 'IT',
      'ticketing.zendesk.tags': 'ok, not ok!',
      'notifications.emailFromAddress': 'nope',
      'notifications.slackChannel': '#Bad Channel',
      'branding.accentColor': 'blue',
      'branding.logoUrl': 'logo.png',
    };
    expect(
      validateSettings(form, [
        'reminders',
        'ticketing',
        'notifications',
        'branding',
      ]),
    ).toEqual({
      'reminders.intervalHours':
        'Hours between reminders: more than 0, at most 720',
      'reminders.maxCount': 'A whole number from 0 to 20',
      'ticketing.jira.serviceDeskId': 'Must be a numeric id',
      'ticketing.zendesk.tags':
        '"ok!" is not a simple tag (letters, digits, _ : and - only)',
      'notifications.emailFromAddress': 'Must be an email address',
      'notifications.slackChannel':
        'Must be a channel name such as #it-requests or a channel id',
      'branding.accentColor': 'Must be a hex colour such as #1f5493',
      'branding.logoUrl': 'Must be a URL',
    });
  });
});

describe('checklist', () => {
  it("reads the backend's answer by step; a step it left out is not seen", () => {
    const result = checklistEvidence({
      steps: [
        {
          id: 'deny-level-1',
          seen: true,
          requestId: 'r1',
          at: '2030-01-01T10:00:00Z',
        },
        { id: 'okta', seen: false },
      ],
    });
    expect(Object.keys(result).sort()).toEqual(
      CHECKLIST_STEPS.map(s => s.id).sort(),
    );
    expect(result['deny-level-1']).toEqual({
      seen: true,
      requestId: 'r1',
      at: '2030-01-01T10:00:00Z',
    });
    expect(result.okta).toEqual({ seen: false });
    expect(result.ticket).toEqual({ seen: false });
  });
});

describe('dates', () => {
  it('turns local days into the ISO times they start and end', () => {
    expect(dayToIso('2030-01-05', 'start')).toBe(
      new Date(2030, 0, 5).toISOString(),
    );
    expect(dayToIso('2030-01-05', 'end')).toBe(
      new Date(2030, 0, 5, 23, 59, 59, 999).toISOString(),
    );
    expect(dayToIso('05/01/2030', 'start')).toBeUndefined();
  });
});

describe('sync status', () => {
  it('says how long something took', () => {
    expect(formatMs(0)).toBe('0 s');
    expect(formatMs(420)).toBe('0.4 s');
    expect(formatMs(4200)).toBe('4.2 s');
    expect(formatMs(42_000)).toBe('42 s');
    expect(formatMs(120_000)).toBe('2 min');
    expect(formatMs(1_530_000)).toBe('25 min 30 s');
    expect(formatMs(7_500_000)).toBe('2 h 5 min');
    expect(formatMs(undefined)).toBe('');
  });

  it('reads the mode from the counts, else the checkpoint', () => {
    expect(
      syncMode({ id: 'okta', status: 'idle', lastCounts: { full: 1 } }),
    ).toEqual({ mode: 'full', resumes: 0 });
    expect(
      syncMode({
        id: 'okta',
        status: 'running',
        checkpoint: { lastMode: 'full', run: { mode: 'incremental' } },
        lastCounts: { resumes: 2 },
      }),
    ).toEqual({ mode: 'incremental', resumes: 2 });
    expect(
      syncMode({
        id: 'okta',
        status: 'idle',
        checkpoint: { lastMode: 'full' },
      }),
    ).toEqual({ mode: 'full', resumes: 0 });
    expect(
      syncMode({ id: 'catalog', status: 'idle', lastCounts: { people: 4 } }),
    ).toBeUndefined();
  });

  it('names the key counts first and the rest after, zeros left out', () => {
    const { primary, secondary } = syncCounts({
      id: 'okta',
      status: 'idle',
      lastCounts: {
        full: 1,
        users: 5,
        groups: 0,
        http429: 0,
        throttledMs: 65_000,
        removed: 0,
        pagesUsers: 2,
        someNewCount: 7,
      },
    });
    expect(primary.map(c => `${c.label}=${c.value}`)).toEqual([
      'Users read=5',
      'Groups=0',
      '429s received=0',
      'Waiting on rate limits=1 min 5 s',
    ]);
    expect(secondary.map(c => `${c.label}=${c.value}`)).toEqual([
      'Pages of users=2',
      'Some new count=7',
    ]);
  });
});
