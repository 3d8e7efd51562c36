import {
  App,
  ApprovalMethod,
  ApprovalPolicy,
  ApprovalRequirement,
  ApproverSpec,
  FulfillmentSpec,
  Tier,
} from '@app-access/plugin-app-access-common';
import {
  checkRef,
  ErrorCollector,
  Errors,
  isUrl,
  MAX_TIERS,
  maxLength,
  SLUG,
  SLUG_MESSAGE,
} from './validation';

export type ApproverType = ApproverSpec['type'];

export type ApproverDraft = { type: ApproverType; ref: string };

export type PolicyDraft = {
  required: ApprovalRequirement;
  exceptGroups: string[];
  level1: ApproverDraft[];
  /** Undefined: no second level. */
  level2?: ApproverDraft[];
};

export type FulfillmentType = FulfillmentSpec['type'];

export type TierDraft = {
  /** Stable React key; not sent. */
  key: string;
  id: string;
  name: string;
  description: string;
  /** False: the tier follows the app's policy. */
  ownPolicy: boolean;
  approval: PolicyDraft;
  fulfillment: {
    type: FulfillmentType;
    oktaGroupId: string;
    oktaAppId: string;
  };
  /** What one seat costs a month, as typed ('' : no price). Admins only. */
  cost: string;
  /** ISO 4217 code of the cost, e.g. EUR. */
  currency: string;
  /** Seats bought, as typed ('' : not recorded). */
  seats: string;
  /** Auto-reclaim: unused access offered back on a schedule (off by default). */
  autoReclaim: boolean;
  /** No sign-in for this many days, as typed. */
  reclaimInactiveDays: string;
  /** How long each holder has to answer, as typed. */
  reclaimAnswerDays: string;
  /** Kept as loaded: the editor does not change how long access lasts. */
  maxDurationDays?: number;
  durationRequired?: boolean;
};

export type AppDraft = {
  id: string;
  name: string;
  vendor: string;
  category: string;
  url: string;
  description: string;
  logoInitials: string;
  logoColor: string;
  logoUrl: string;
  owner: string;
  listed: boolean;
  externalIds: Record<string, string>;
  /** '' follows the settings' approval method. */
  approvalMethod: '' | ApprovalMethod;
  /** False: no app-level policy (everyone needs approval by the default approvers). */
  ownPolicy: boolean;
  approval: PolicyDraft;
  tiers: TierDraft[];
};

let keys = 0;
export const newKey = () => `tier-${++keys}`;

export function emptyPolicy(): PolicyDraft {
  return { required: 'everyone', exceptGroups: [], level1: [] };
}

/** What the auto-reclaim fields hold while it is off: the usual rule, ready to turn on. */
export const AUTO_RECLAIM_DEFAULTS = { inactiveDays: 60, answerDays: 14 };
const AUTO_RECLAIM_OFF = {
  autoReclaim: false,
  reclaimInactiveDays: String(AUTO_RECLAIM_DEFAULTS.inactiveDays),
  reclaimAnswerDays: String(AUTO_RECLAIM_DEFAULTS.answerDays),
};

export function emptyTier(fulfillment: FulfillmentType = 'manual'): TierDraft {
  return {
    key: newKey(),
    id: '',
    name: '',
    description: '',
    ownPolicy: false,
    approval: emptyPolicy(),
    fulfillment: { type: fulfillment, oktaGroupId: '', oktaAppId: '' },
    cost: '',
    currency: '',
    seats: '',
    ...AUTO_RECLAIM_OFF,
  };
}

export function emptyDraft(): AppDraft {
  return {
    id: '',
    name: '',
    vendor: '',
    category: '',
    url: '',
    description: '',
    logoInitials: '',
    logoColor: '',
    logoUrl: '',
    owner: '',
    listed: false,
    externalIds: {},
    approvalMethod: '',
    ownPolicy: false,
    approval: emptyPolicy(),
    tiers: [],
  };
}

const approverToDraft = (a: ApproverSpec): ApproverDraft => ({
  type: a.type,
  ref: 'ref' in a ? a.ref : '',
});

export function policyToDraft(p: ApprovalPolicy | undefined): PolicyDraft {
  if (!p) {
    return emptyPolicy();
  }
  return {
    required: p.required,
    exceptGroups: [...(p.exceptGroups ?? [])],
    level1: (p.level1 ?? []).map(approverToDraft),
    level2: p.level2?.length ? p.level2.map(approverToDraft) : undefined,
  };
}

export function tierToDraft(t: Tier): TierDraft {
  const f = t.fulfillment ?? { type: 'manual' };
  return {
    key: newKey(),
    id: t.id,
    name: t.name,
    description: t.description ?? '',
    ownPolicy: Boolean(t.approval),
    approval: policyToDraft(t.approval),
    fulfillment: {
      type: f.type,
      oktaGroupId: f.type === 'okta-group' ? f.oktaGroupId : '',
      oktaAppId: f.type === 'okta-app' ? f.oktaAppId : '',
    },
    cost:
      t.costPerSeatMonthly === undefined ? '' : String(t.costPerSeatMonthly),
    currency: t.currency ?? '',
    seats: t.seatsPurchased === undefined ? '' : String(t.seatsPurchased),
    ...(t.autoReclaim
      ? {
          autoReclaim: true,
          reclaimInactiveDays: String(t.autoReclaim.inactiveDays),
          reclaimAnswerDays: String(t.autoReclaim.answerDays),
        }
      : AUTO_RECLAIM_OFF),
    maxDurationDays: t.maxDurationDays,
    durationRequired: t.durationRequired,
  };
}

export function appToDraft(app: Partial<App>): AppDraft {
  return {
    id: app.id ?? '',
    name: app.name ?? '',
    vendor: app.vendor ?? '',
    category: app.category ?? '',
    url: app.url ?? '',
    description: app.description ?? '',
    logoInitials: app.logo?.initials ?? '',
    logoColor: app.logo?.color ?? '',
    logoUrl: app.logo?.url ?? '',
    owner: app.owner ?? '',
    listed: Boolean(app.listed),
    externalIds: { ...(app.externalIds ?? {}) },
    approvalMethod: app.approvalMethod ?? '',
    ownPolicy: Boolean(app.approval),
    approval: policyToDraft(app.approval),
    tiers: (app.tiers ?? []).map(tierToDraft),
  };
}

const opt = (s: string) => (s.trim() ? s.trim() : undefined);

function approverToBody(a: ApproverDraft): ApproverSpec {
  if (a.type === 'user' || a.type === 'group') {
    return { type: a.type, ref: a.ref.trim() };
  }
  return { type: a.type };
}

export function policyToBody(p: PolicyDraft): ApprovalPolicy {
  const body: ApprovalPolicy = { required: p.required };
  if (p.required === 'except') {
    body.exceptGroups = [...p.exceptGroups];
  }
  if (p.required !== 'nobody') {
    if (p.level1.length) {
      body.level1 = p.level1.map(approverToBody);
    }
    if (p.level2?.length) {
      body.level2 = p.level2.map(approverToBody);
    }
  }
  return body;
}

function fulfillmentToBody(f: TierDraft['fulfillment']): FulfillmentSpec {
  switch (f.type) {
    case 'okta-group':
      return { type: 'okta-group', oktaGroupId: f.oktaGroupId.trim() };
    case 'okta-app':
      return { type: 'okta-app', oktaAppId: f.oktaAppId.trim() };
    case 'ticket':
      return { type: 'ticket' };
    default:
      return { type: 'manual' };
  }
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as T;
}

/**
 * The body of POST/PUT /admin/apps. The backend's schema is strict, so only
 * the keys it knows are sent (not `source`, `createdAt`, `needsApproval`, …),
 * and empty optional strings are left out rather than sent as "".
 */
export function draftToApp(d: AppDraft): App {
  const logo = dropUndefined({
    initials: opt(d.logoInitials),
    color: opt(d.logoColor),
    url: opt(d.logoUrl),
  });
  const externalIds = Object.fromEntries(
    Object.entries(d.externalIds)
      .map(([k, v]) => [k.trim(), v.trim()] as const)
      .filter(([k, v]) => k && v),
  );
  return dropUndefined({
    id: d.id.trim(),
    name: d.name.trim(),
    vendor: opt(d.vendor),
    category: d.category.trim(),
    url: opt(d.url),
    description: opt(d.description),
    logo: Object.keys(logo).length ? logo : undefined,
    owner: opt(d.owner),
    listed: d.listed,
    externalIds,
    approval: d.ownPolicy ? policyToBody(d.approval) : undefined,
    approvalMethod: d.approvalMethod || undefined,
    tiers: d.tiers.map(t =>
      dropUndefined({
        id: t.id.trim(),
        name: t.name.trim(),
        description: opt(t.description),
        approval: t.ownPolicy ? policyToBody(t.approval) : undefined,
        fulfillment: fulfillmentToBody(t.fulfillment),
        maxDurationDays: t.maxDurationDays,
        durationRequired: t.durationRequired,
        costPerSeatMonthly: t.cost.trim() ? Number(t.cost.trim()) : undefined,
        currency: t.cost.trim() ? t.currency.trim().toUpperCase() : undefined,
        seatsPurchased: t.seats.trim() ? Number(t.seats.trim()) : undefined,
        autoReclaim: t.autoReclaim
          ? {
              inactiveDays: Number(t.reclaimInactiveDays.trim()),
              answerDays: Number(t.reclaimAnswerDays.trim()),
            }
          : undefined,
      }),
    ),
  });
}

/** The highest price of a seat a month and the most seats the backend accepts. */
export const MAX_COST_PER_SEAT = 1_000_000;
export const MAX_SEATS = 10_000_000;

function validateLicence(
  c: ErrorCollector,
  p: string,
  t: TierDraft,
  appCurrency: string | undefined,
) {
  const cost = t.cost.trim();
  const currency = t.currency.trim().toUpperCase();
  const seats = t.seats.trim();
  if (cost) {
    const n = Number(cost);
    c.add(
      `${p}.costPerSeatMonthly`,
      (!/^\d+(\.\d{1,2})?$/.test(cost) || n > MAX_COST_PER_SEAT) &&
        `A price from 0 to ${MAX_COST_PER_SEAT.toLocaleString(
          'en-US',
        )} with at most 2 decimals`,
    );
    c.add(`${p}.currency`, !currency && 'Pick the currency of the price');
    c.add(
      `${p}.currency`,
      currency &&
        !/^[A-Z]{3}$/.test(currency) &&
        'A 3-letter currency code such as EUR',
    );
    c.add(
      `${p}.currency`,
      currency &&
        appCurrency &&
        currency !== appCurrency &&
        `Price every tier of an app in one currency (${appCurrency})`,
    );
  }
  if (seats) {
    c.add(
      `${p}.seatsPurchased`,
      (!/^\d+$/.test(seats) || Number(seats) > MAX_SEATS) &&
        `A whole number of seats from 0 to ${MAX_SEATS.toLocaleString(
          'en-US',
        )}`,
    );
  }
}

/** The bounds openapi.yaml puts on a tier's auto-reclaim policy. */
export const AUTO_RECLAIM_LIMITS = {
  inactiveDays: { min: 7, max: 730 },
  answerDays: { min: 1, max: 90 },
};

function validateAutoReclaim(c: ErrorCollector, p: string, t: TierDraft) {
  if (!t.autoReclaim) return;
  const check = (
    field: 'inactiveDays' | 'answerDays',
    value: string,
    what: string,
  ) => {
    const { min, max } = AUTO_RECLAIM_LIMITS[field];
    const v = value.trim();
    c.add(
      `${p}.autoReclaim.${field}`,
      (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) &&
        `${what}: a whole number of days from ${min} to ${max}`,
    );
  };
  check('inactiveDays', t.reclaimInactiveDays, 'Unused for');
  check('answerDays', t.reclaimAnswerDays, 'Time to answer');
}

function validatePolicy(c: ErrorCollector, prefix: string, p: PolicyDraft) {
  if (p.required === 'except') {
    c.add(
      `${prefix}.exceptGroups`,
      p.exceptGroups.length === 0 &&
        'Pick the groups whose members need no approval',
    );
    c.add(
      `${prefix}.exceptGroups`,
      p.exceptGroups.length > 50 && 'At most 50 groups',
    );
    p.exceptGroups.forEach(g =>
      c.add(`${prefix}.exceptGroups`, checkRef(g, 'group')),
    );
  }
  if (p.required === 'nobody') {
    return;
  }
  (['level1', 'level2'] as const).forEach(level => {
    const approvers = p[level] ?? [];
    c.add(
      `${prefix}.${level}`,
      approvers.length > 20 && 'At most 20 approvers',
    );
    approvers.forEach((a, i) => {
      if (a.type === 'user' || a.type === 'group') {
        c.add(
          `${prefix}.${level}.${i}.ref`,
          a.ref.trim()
            ? checkRef(a.ref.trim(), a.type)
            : `Pick the ${a.type === 'user' ? 'person' : 'group'}`,
        );
      }
    });
  });
  if (p.level2?.length && !p.level1.length) {
    c.add(`${prefix}.level2`, 'A second level needs a first level');
  }
}

/** The backend's app rules (schemas.ts appSchema), field by field. */
export function validateDraft(d: AppDraft): Errors {
  const c = new ErrorCollector();
  const id = d.id.trim();
  c.add('id', !id && 'Give the app an id');
  c.add('id', id.length > 100 && 'Use at most 100 characters');
  c.add('id', id && !SLUG.test(id) && SLUG_MESSAGE);
  c.add('name', !d.name.trim() && 'Name the app');
  c.add('name', maxLength(d.name.trim(), 200));
  c.add('category', !d.category.trim() && 'Pick or type a category');
  c.add('category', maxLength(d.category.trim(), 100));
  c.add('vendor', maxLength(d.vendor, 200));
  const url = opt(d.url);
  c.add('url', url && (!isUrl(url) || url.length > 2000) && 'Must be a URL');
  c.add('description', maxLength(d.description, 5000));
  c.add('logo.initials', maxLength(d.logoInitials.trim(), 4));
  c.add('logo.color', maxLength(d.logoColor.trim(), 30));
  const logoUrl = opt(d.logoUrl);
  c.add(
    'logo.url',
    logoUrl && (!isUrl(logoUrl) || logoUrl.length > 2000) && 'Must be a URL',
  );
  c.add('owner', checkRef(opt(d.owner), 'any'));
  for (const [k, v] of Object.entries(d.externalIds)) {
    c.add(`externalIds.${k}`, maxLength(v.trim(), 200));
  }
  if (d.ownPolicy) {
    validatePolicy(c, 'approval', d.approval);
  }
  c.add(
    'tiers',
    d.tiers.length > MAX_TIERS &&
      `An app has at most ${MAX_TIERS} license tiers`,
  );
  c.add(
    'tiers',
    d.listed &&
      d.tiers.length === 0 &&
      'An app listed in the catalog needs at least one tier',
  );
  const seen = new Set<string>();
  const appCurrency = d.tiers
    .find(t => t.cost.trim() && t.currency.trim())
    ?.currency.trim()
    .toUpperCase();
  d.tiers.forEach((t, i) => {
    const p = `tiers.${i}`;
    validateLicence(c, p, t, appCurrency);
    validateAutoReclaim(c, p, t);
    const tid = t.id.trim();
    c.add(`${p}.id`, !tid && 'Give the tier an id');
    c.add(`${p}.id`, tid.length > 100 && 'Use at most 100 characters');
    c.add(`${p}.id`, tid && !SLUG.test(tid) && SLUG_MESSAGE);
    c.add(`${p}.id`, tid && seen.has(tid) && `Duplicate tier id '${tid}'`);
    seen.add(tid);
    c.add(`${p}.name`, !t.name.trim() && 'Name the tier');
    c.add(`${p}.name`, maxLength(t.name.trim(), 200));
    c.add(`${p}.description`, maxLength(t.description, 2000));
    if (t.ownPolicy) {
      validatePolicy(c, `${p}.approval`, t.approval);
    }
    if (t.fulfillment.type === 'okta-group') {
      const g = t.fulfillment.oktaGroupId.trim();
      c.add(`${p}.fulfillment.oktaGroupId`, !g && 'Pick the Okta group');
      c.add(`${p}.fulfillment.oktaGroupId`, maxLength(g, 100));
    }
    if (t.fulfillment.type === 'okta-app') {
      const a = t.fulfillment.oktaAppId.trim();
      c.add(`${p}.fulfillment.oktaAppId`, !a && 'Pick the Okta app');
      c.add(`${p}.fulfillment.oktaAppId`, maxLength(a, 100));
    }
  });
  return c.errors;
}

/** Every field a server message may name, for mapping 400s onto the form. */
export function knownFields(d: AppDraft): string[] {
  const fields = [
    'id',
    'name',
    'vendor',
    'category',
    'url',
    'description',
    'logo.initials',
    'logo.color',
    'logo.url',
    'logo',
    'owner',
    'listed',
    'approvalMethod',
    'externalIds',
    'tiers',
  ];
  const policy = (prefix: string, p: PolicyDraft) => {
    fields.push(
      `${prefix}`,
      `${prefix}.required`,
      `${prefix}.exceptGroups`,
      `${prefix}.level1`,
      `${prefix}.level2`,
    );
    p.level1.forEach((_, i) => fields.push(`${prefix}.level1.${i}.ref`));
    p.level2?.forEach((_, i) => fields.push(`${prefix}.level2.${i}.ref`));
  };
  policy('approval', d.approval);
  Object.keys(d.externalIds).forEach(k => fields.push(`externalIds.${k}`));
  d.tiers.forEach((t, i) => {
    const p = `tiers.${i}`;
    fields.push(
      p,
      `${p}.id`,
      `${p}.name`,
      `${p}.description`,
      `${p}.fulfillment`,
      `${p}.fulfillment.oktaGroupId`,
      `${p}.fulfillment.oktaAppId`,
      `${p}.costPerSeatMonthly`,
      `${p}.currency`,
      `${p}.seatsPurchased`,
      `${p}.autoReclaim`,
      `${p}.autoReclaim.inactiveDays`,
      `${p}.autoReclaim.answerDays`,
    );
    policy(`${p}.approval`, t.approval);
  });
  return fields;
}

/** Re-keys per-tier errors after tiers moved, so they follow their tier. */
export function moveTierErrors(
  errors: Errors,
  order: (oldIndex: number) => number | undefined,
): Errors {
  const next: Errors = {};
  for (const [field, message] of Object.entries(errors)) {
    const m = field.match(/^tiers\.(\d+)(\..*)?$/);
    if (!m) {
      next[field] = message;
      continue;
    }
    const to = order(Number(m[1]));
    if (to !== undefined) {
      next[`tiers.${to}${m[2] ?? ''}`] = message;
    }
  }
  return next;
}
