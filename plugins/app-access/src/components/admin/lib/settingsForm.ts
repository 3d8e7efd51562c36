import {
  AppAccessSettings,
  SettingsResponse,
} from '@app-access/plugin-app-access-common';
import {
  checkRef,
  ErrorCollector,
  Errors,
  HEX_COLOUR,
  isEmail,
  isUrl,
  maxLength,
  NUMERIC_ID_12,
  NUMERIC_ID_20,
  SLACK_CHANNEL,
  ZENDESK_TAG,
} from './validation';

export type SettingsKey = keyof AppAccessSettings;

/**
 * The settings page edits one flat form whose field names are the backend's
 * paths ("reminders.intervalHours", "ticketing.jira.serviceDeskId"), so a
 * 400 message lands on the field it names.
 */
export type SettingsForm = {
  approvalMethod: string;
  defaultApprovers: string[];
  fallbackApprover: string;
  'reminders.intervalHours': string;
  'reminders.maxCount': string;
  'ticketing.system': string;
  'ticketing.auditTickets': boolean;
  'ticketing.jira.serviceDeskId': string;
  'ticketing.jira.requestTypeId': string;
  'ticketing.zendesk.groupId': string;
  /** Comma-separated. */
  'ticketing.zendesk.tags': string;
  'ticketing.email.ticketAddress': string;
  'notifications.emailFromName': string;
  'notifications.emailFromAddress': string;
  'notifications.slackChannel': string;
  'peers.roleBasis': string;
  'peers.showNames': string;
  'branding.title': string;
  'branding.logoUrl': string;
  'branding.accentColor': string;
  /** off | reports | anyone */
  onBehalf: string;
  /** Whole days; empty = none. */
  'access.defaultDurationDays': string;
  'access.maxDurationDays': string;
  'access.expiryNoticeDays': string;
};

export type SettingsField = keyof SettingsForm;

/** The top-level settings key a form field belongs to. */
export function keyOf(field: SettingsField): SettingsKey {
  return field.split('.')[0] as SettingsKey;
}

export const FIELDS_BY_KEY: Record<SettingsKey, SettingsField[]> = {
  approvalMethod: ['approvalMethod'],
  defaultApprovers: ['defaultApprovers'],
  fallbackApprover: ['fallbackApprover'],
  reminders: ['reminders.intervalHours', 'reminders.maxCount'],
  ticketing: [
    'ticketing.system',
    'ticketing.auditTickets',
    'ticketing.jira.serviceDeskId',
    'ticketing.jira.requestTypeId',
    'ticketing.zendesk.groupId',
    'ticketing.zendesk.tags',
    'ticketing.email.ticketAddress',
  ],
  notifications: [
    'notifications.emailFromName',
    'notifications.emailFromAddress',
    'notifications.slackChannel',
  ],
  peers: ['peers.roleBasis', 'peers.showNames'],
  branding: ['branding.title', 'branding.logoUrl', 'branding.accentColor'],
  onBehalf: ['onBehalf'],
  access: [
    'access.defaultDurationDays',
    'access.maxDurationDays',
    'access.expiryNoticeDays',
  ],
};

export function formFromValues(values: AppAccessSettings): SettingsForm {
  const t = values.ticketing ?? { system: 'manual' };
  return {
    approvalMethod: values.approvalMethod ?? 'portal',
    defaultApprovers: [...(values.defaultApprovers ?? [])],
    fallbackApprover: values.fallbackApprover ?? '',
    'reminders.intervalHours': String(values.reminders?.intervalHours ?? ''),
    'reminders.maxCount': String(values.reminders?.maxCount ?? ''),
    'ticketing.system': t.system,
    'ticketing.auditTickets': Boolean(t.auditTickets),
    'ticketing.jira.serviceDeskId': t.jira?.serviceDeskId ?? '',
    'ticketing.jira.requestTypeId': t.jira?.requestTypeId ?? '',
    'ticketing.zendesk.groupId': t.zendesk?.groupId ?? '',
    'ticketing.zendesk.tags': (t.zendesk?.tags ?? []).join(', '),
    'ticketing.email.ticketAddress': t.email?.ticketAddress ?? '',
    'notifications.emailFromName': values.notifications?.emailFromName ?? '',
    'notifications.emailFromAddress':
      values.notifications?.emailFromAddress ?? '',
    'notifications.slackChannel': values.notifications?.slackChannel ?? '',
    'peers.roleBasis': values.peers?.roleBasis ?? 'title',
    'peers.showNames': values.peers?.showNames ?? 'team',
    'branding.title': values.branding?.title ?? '',
    'branding.logoUrl': values.branding?.logoUrl ?? '',
    'branding.accentColor': values.branding?.accentColor ?? '',
    onBehalf: values.onBehalf ?? 'reports',
    'access.defaultDurationDays': String(
      values.access?.defaultDurationDays ?? '',
    ),
    'access.maxDurationDays': String(values.access?.maxDurationDays ?? ''),
    'access.expiryNoticeDays': String(values.access?.expiryNoticeDays ?? 3),
  };
}

/** Copies one key's fields from `from` into `into`. */
export function withKeyFrom(
  into: SettingsForm,
  from: SettingsForm,
  key: SettingsKey,
): SettingsForm {
  const next = { ...into } as Record<SettingsField, unknown>;
  for (const field of FIELDS_BY_KEY[key]) {
    next[field] = from[field];
  }
  return next as SettingsForm;
}

const opt = (s: string) => (s.trim() ? s.trim() : undefined);

/** Drops undefined values and empty objects, so they are not sent. */
function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
}

export function splitTags(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map(t => t.trim())
    .filter(Boolean);
}

/** What the form says one top-level setting should be. */
export function valueFromForm<K extends SettingsKey>(
  form: SettingsForm,
  key: K,
): AppAccessSettings[K] | undefined {
  const f = form;
  let value: unknown;
  switch (key) {
    case 'approvalMethod':
      value = f.approvalMethod;
      break;
    case 'defaultApprovers':
      value = f.defaultApprovers;
      break;
    case 'fallbackApprover':
      value = opt(f.fallbackApprover);
      break;
    case 'reminders':
      value = {
        intervalHours: Number(f['reminders.intervalHours']),
        maxCount: Number(f['reminders.maxCount']),
      };
      break;
    case 'ticketing': {
      const tags = splitTags(f['ticketing.zendesk.tags']);
      value = compact({
        system: f['ticketing.system'],
        // Off is the default; only "on" needs saying.
        auditTickets: f['ticketing.auditTickets'] ? true : undefined,
        jira: compact({
          serviceDeskId: opt(f['ticketing.jira.serviceDeskId']),
          requestTypeId: opt(f['ticketing.jira.requestTypeId']),
        }),
        zendesk: compact({
          groupId: opt(f['ticketing.zendesk.groupId']),
          tags: tags.length ? tags : undefined,
        }),
        email: compact({
          ticketAddress: opt(f['ticketing.email.ticketAddress']),
        }),
      });
      break;
    }
    case 'notifications':
      value =
        compact({
          emailFromName: opt(f['notifications.emailFromName']),
          emailFromAddress: opt(f['notifications.emailFromAddress']),
          slackChannel: opt(f['notifications.slackChannel']),
        }) ?? {};
      break;
    case 'peers':
      value = {
        roleBasis: f['peers.roleBasis'],
        showNames: f['peers.showNames'],
      };
      break;
    case 'branding':
      value =
        compact({
          title: opt(f['branding.title']),
          logoUrl: opt(f['branding.logoUrl']),
          accentColor: opt(f['branding.accentColor']),
        }) ?? {};
      break;
    case 'onBehalf':
      value = f.onBehalf;
      break;
    case 'access': {
      const days = (s: string) => (s.trim() ? Number(s.trim()) : undefined);
      value = compact({
        defaultDurationDays: days(f['access.defaultDurationDays']),
        maxDurationDays: days(f['access.maxDurationDays']),
        expiryNoticeDays: days(f['access.expiryNoticeDays']),
      });
      break;
    }
    default:
      value = undefined;
  }
  return value as AppAccessSettings[K] | undefined;
}

/** JSON with sorted keys, without undefined values, false flags or empty objects. */
export function canonical(value: unknown): string {
  const normalize = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(normalize);
    }
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => [k, normalize(x)] as const)
        .filter(([, x]) => x !== undefined && x !== false)
        .sort(([a], [b]) => a.localeCompare(b));
      return entries.length ? Object.fromEntries(entries) : undefined;
    }
    return v === '' || v === null ? undefined : v;
  };
  return JSON.stringify(normalize(value) ?? null);
}

/** The keys of a section whose form value differs from what is saved. */
export function changedKeys(
  form: SettingsForm,
  values: AppAccessSettings,
  keys: readonly SettingsKey[],
): SettingsKey[] {
  return keys.filter(
    key => canonical(valueFromForm(form, key)) !== canonical(values[key]),
  );
}

/**
 * The body that saves the changed keys. An emptied fallback approver is sent
 * as null: the override is removed and app-config's value applies again.
 */
export function changesBody(
  form: SettingsForm,
  keys: readonly SettingsKey[],
): Partial<Record<SettingsKey, unknown>> {
  const body: Partial<Record<SettingsKey, unknown>> = {};
  for (const key of keys) {
    const value = valueFromForm(form, key);
    body[key] = value === undefined ? null : value;
  }
  return body;
}

/** The backend's settings rules for the fields of the given keys. */
export function validateSettings(
  form: SettingsForm,
  keys: readonly SettingsKey[],
): Errors {
  const c = new ErrorCollector();
  const has = (k: SettingsKey) => keys.includes(k);
  if (has('approvalMethod')) {
    c.add(
      'approvalMethod',
      !['slack', 'email', 'msteams', 'portal'].includes(form.approvalMethod) &&
        'Pick how approvers are asked',
    );
  }
  if (has('defaultApprovers')) {
    c.add(
      'defaultApprovers',
      form.defaultApprovers.length > 50 && 'At most 50 default approvers',
    );
    for (const ref of form.defaultApprovers) {
      c.add('defaultApprovers', checkRef(ref, 'any'));
    }
  }
  if (has('fallbackApprover')) {
    c.add('fallbackApprover', checkRef(opt(form.fallbackApprover), 'any'));
  }
  if (has('reminders')) {
    const hours = form['reminders.intervalHours'].trim();
    const n = Number(hours);
    c.add(
      'reminders.intervalHours',
      (!hours || Number.isNaN(n) || n <= 0 || n > 24 * 30) &&
        'Hours between reminders: more than 0, at most 720',
    );
    const count = form['reminders.maxCount'].trim();
    const m = Number(count);
    c.add(
      'reminders.maxCount',
      (!count || !Number.isInteger(m) || m < 0 || m > 20) &&
        'A whole number from 0 to 20',
    );
  }
  if (has('ticketing')) {
    c.add(
      'ticketing.system',
      !['jira', 'zendesk', 'email', 'manual'].includes(
        form['ticketing.system'],
      ) && 'Pick the ticketing system',
    );
    for (const field of [
      'ticketing.jira.serviceDeskId',
      'ticketing.jira.requestTypeId',
    ] as const) {
      const v = opt(form[field]);
      c.add(field, v && !NUMERIC_ID_12.test(v) && 'Must be a numeric id');
    }
    const group = opt(form['ticketing.zendesk.groupId']);
    c.add(
      'ticketing.zendesk.groupId',
      group && !NUMERIC_ID_20.test(group) && 'Must be a numeric id',
    );
    const tags = splitTags(form['ticketing.zendesk.tags']);
    c.add('ticketing.zendesk.tags', tags.length > 20 && 'At most 20 tags');
    const bad = tags.find(t => !ZENDESK_TAG.test(t));
    c.add(
      'ticketing.zendesk.tags',
      bad && `"${bad}" is not a simple tag (letters, digits, _ : and - only)`,
    );
    const address = opt(form['ticketing.email.ticketAddress']);
    c.add(
      'ticketing.email.ticketAddress',
      address &&
        (!isEmail(address) || address.length > 300) &&
        'Must be an email address',
    );
  }
  if (has('notifications')) {
    c.add(
      'notifications.emailFromName',
      maxLength(form['notifications.emailFromName'], 200),
    );
    const from = opt(form['notifications.emailFromAddress']);
    c.add(
      'notifications.emailFromAddress',
      from &&
        (!isEmail(from) || from.length > 300) &&
        'Must be an email address',
    );
    const channel = opt(form['notifications.slackChannel']);
    c.add(
      'notifications.slackChannel',
      channel &&
        !SLACK_CHANNEL.test(channel) &&
        'Must be a channel name such as #it-requests or a channel id',
    );
  }
  if (has('onBehalf')) {
    c.add(
      'onBehalf',
      !['off', 'reports', 'anyone'].includes(form.onBehalf) &&
        'Pick who people may request access for',
    );
  }
  if (has('access')) {
    const wholeDays = (
      field: SettingsField,
      min: number,
      required: boolean,
    ) => {
      const raw = String(form[field]).trim();
      if (!raw) {
        c.add(field, required && 'Required: a whole number of days');
        return undefined;
      }
      const n = Number(raw);
      const ok = Number.isInteger(n) && n >= min && n <= 3650;
      c.add(
        field,
        !ok &&
          (min === 0
            ? 'A whole number of days, 0 or more (0 turns the notice off)'
            : 'A whole number of days, 1 or more'),
      );
      return ok ? n : undefined;
    };
    const def = wholeDays('access.defaultDurationDays', 1, false);
    const max = wholeDays('access.maxDurationDays', 1, false);
    wholeDays('access.expiryNoticeDays', 0, true);
    c.add(
      'access.defaultDurationDays',
      def !== undefined &&
        max !== undefined &&
        def > max &&
        `Not longer than the maximum (${max} days)`,
    );
  }
  if (has('branding')) {
    c.add('branding.title', maxLength(form['branding.title'], 100));
    const logo = opt(form['branding.logoUrl']);
    c.add(
      'branding.logoUrl',
      logo && (!isUrl(logo) || logo.length > 2000) && 'Must be a URL',
    );
    const colour = opt(form['branding.accentColor']);
    c.add(
      'branding.accentColor',
      colour &&
        !HEX_COLOUR.test(colour) &&
        'Must be a hex colour such as #1f5493',
    );
  }
  return c.errors;
}

export type SettingsSource = SettingsResponse['sources'][SettingsKey];

export const SOURCE_LABELS: Record<SettingsSource, string> = {
  config: 'from app-config',
  database: 'changed here',
  default: 'default',
};
