import { z } from 'zod';

// The shape of an app as seed files and the admin API both write it; domain
// code (the seed importer) owns it so it never depends on the HTTP layer.

const slug = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'must be lowercase letters, digits and dashes',
  );
const userOrGroupRef = z
  .string()
  .max(300)
  .regex(
    /^(user|group):[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/,
    'must be an entity ref such as user:default/jane.doe or group:default/it-admins',
  );
const groupRef = z
  .string()
  .max(300)
  .regex(
    /^group:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/,
    'must be a group entity ref such as group:default/engineering',
  );

/** The highest price of one seat a month an admin may enter. */
export const MAX_COST_PER_SEAT = 1_000_000;
/** The most seats of one tier an admin may say were bought. */
export const MAX_SEATS = 10_000_000;

export const approverSpecSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('user'),
    ref: userOrGroupRef.refine(
      r => r.startsWith('user:'),
      'must be a user entity ref',
    ),
  }),
  z.object({ type: z.literal('group'), ref: groupRef }),
  z.object({ type: z.literal('manager') }),
  z.object({ type: z.literal('owner') }),
]);

export const approvalPolicySchema = z
  .object({
    required: z.enum(['everyone', 'nobody', 'except']),
    exceptGroups: z.array(groupRef).max(50).optional(),
    level1: z.array(approverSpecSchema).max(20).optional(),
    level2: z.array(approverSpecSchema).max(20).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.required === 'except' && !p.exceptGroups?.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['exceptGroups'],
        message: "required with required: 'except'",
      });
    }
    if (p.level2?.length && !p.level1?.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['level2'],
        message: 'a second level needs a first level',
      });
    }
  });

export const fulfillmentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('okta-group'),
    oktaGroupId: z.string().min(1).max(100),
  }),
  z.object({
    type: z.literal('okta-app'),
    oktaAppId: z.string().min(1).max(100),
  }),
  z.object({ type: z.literal('ticket') }),
  z.object({ type: z.literal('manual') }),
]);

export const tierSchema = z
  .object({
    id: slug,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    approval: approvalPolicySchema.optional(),
    fulfillment: fulfillmentSchema.default({ type: 'manual' }),
    /** Access to this tier ends after at most this many days. */
    maxDurationDays: z.number().int().min(1).max(3650).optional(),
    /** The requester must pick an end ("until I remove it" is not offered). */
    durationRequired: z.boolean().optional(),
    /** What one seat costs a month, in `currency` (admins only). */
    costPerSeatMonthly: z
      .number()
      .min(0)
      .max(MAX_COST_PER_SEAT)
      .refine(
        n => Math.abs(Math.round(n * 100) - n * 100) < 1e-6,
        'use at most 2 decimals',
      )
      .optional(),
    /** ISO 4217 code of `costPerSeatMonthly`, e.g. EUR. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as EUR')
      .optional(),
    /** How many seats of this tier were bought (admins only). */
    seatsPurchased: z.number().int().min(0).max(MAX_SEATS).optional(),
    /** Unused access offered back on a schedule (admins only); off when absent. */
    autoReclaim: z
      .object({
        inactiveDays: z.number().int().min(7).max(730),
        answerDays: z.number().int().min(1).max(90),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.costPerSeatMonthly !== undefined && !t.currency) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['currency'],
        message: 'required with costPerSeatMonthly',
      });
    }
    if (t.currency && t.costPerSeatMonthly === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['costPerSeatMonthly'],
        message: 'required with currency',
      });
    }
  });

export const appSchema = z
  .object({
    id: slug,
    name: z.string().trim().min(1).max(200),
    vendor: z.string().max(200).optional(),
    category: z.string().trim().min(1).max(100),
    url: z.string().url().max(2000).optional(),
    description: z.string().max(5000).optional(),
    logo: z
      .object({
        initials: z.string().max(4).optional(),
        color: z.string().max(30).optional(),
        url: z.string().url().max(2000).optional(),
      })
      .strict()
      .optional(),
    owner: userOrGroupRef.optional(),
    listed: z.boolean().default(false),
    externalIds: z.record(z.string().max(200)).default({}),
    approval: approvalPolicySchema.optional(),
    approvalMethod: z.enum(['slack', 'email', 'msteams', 'portal']).optional(),
    tiers: z
      .array(tierSchema)
      .max(3, 'an app has at most 3 license tiers')
      .default([]),
  })
  .strict()
  .superRefine((app, ctx) => {
    if (app.listed && app.tiers.length === 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['tiers'],
        message: 'an app listed in the catalog needs at least one tier',
      });
    }
    const ids = new Set<string>();
    // One app's prices are compared and summed: they share one currency.
    const currency = app.tiers.find(t => t.currency)?.currency;
    app.tiers.forEach((t, i) => {
      if (t.currency && t.currency !== currency) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['tiers', i, 'currency'],
          message: `the app's tiers are priced in ${currency}; use one currency per app`,
        });
      }
      if (ids.has(t.id)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['tiers', i, 'id'],
          message: `duplicate tier id '${t.id}'`,
        });
      }
      ids.add(t.id);
    });
  });

export const seedFileSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  apps: z.array(z.unknown()),
});

/** Formats the first problems of a zod error as "field: message". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map(issue => {
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
