import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  AccessRequest,
  appAccessRequestReadAllPermission,
  CatalogApp,
  REQUEST_STATUSES,
} from '@app-access/plugin-app-access-common';
import { AppAccessServices } from '../services';
import { Caller } from '../workflow/RequestWorkflow';

/** The zod the registry hands to a schema function (zod/v3). */
type Zod = Parameters<
  Parameters<ActionsRegistryService['register']>[0]['schema']['input']
>[0];

export type AppAccessActionsOptions = {
  actionsRegistry: ActionsRegistryService;
  auth: AuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  services: AppAccessServices;
  /** The portal's base URL (app.baseUrl): links in the outputs point there. */
  appBaseUrl: string;
};

/**
 * Whether the text holds a C0 control character (U+0000–U+001F), as the HTTP
 * API's text guard decides: multi-line text may hold tabs and line breaks.
 */
function hasControl(value: string, multiline: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (
      code < 0x20 &&
      !(multiline && (code === 0x09 || code === 0x0a || code === 0x0d))
    ) {
      return true;
    }
  }
  return false;
}

// The same limits as openapi.yaml: ids (Id), search words (q), a category,
// justifications and comments (4000, multi-line), list limits.
const ID_MAX = 100;
const Q_MAX = 200;
const CATEGORY_MAX = 100;
const TEXT_MAX = 4000;
const CURSOR_MAX = 500;

function line(z: Zod, max: number, what: string) {
  return z
    .string()
    .max(max)
    .refine(v => !hasControl(v, false), {
      message: `${what} must not hold control characters`,
    });
}

function id(z: Zod, what: string) {
  return line(z, ID_MAX, what).pipe(z.string().min(1));
}

function text(z: Zod, what: string) {
  return z
    .string()
    .max(TEXT_MAX)
    .refine(v => !hasControl(v, true), {
      message: `${what} must not hold control characters other than tabs and line breaks`,
    });
}

function tierSchema(z: Zod) {
  return z.object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    needsApproval: z
      .boolean()
      .optional()
      .describe('Whether the caller needs approval for this tier'),
    maxDurationDays: z
      .number()
      .optional()
      .describe('The longest the access may last, in days; absent = no limit'),
    durationRequired: z
      .boolean()
      .optional()
      .describe('Whether a request must say how long (durationDays)'),
  });
}

function appSchema(z: Zod) {
  return z.object({
    id: z.string(),
    name: z.string(),
    vendor: z.string().optional(),
    category: z.string(),
    description: z.string().optional(),
    url: z.string().describe('The app page in the portal, to request from'),
    tiers: z.array(tierSchema(z)),
    myRequest: z
      .object({
        id: z.string(),
        tierId: z.string().optional(),
        status: z.string(),
      })
      .optional()
      .describe("The caller's latest request for this app"),
  });
}

function requestSchema(z: Zod) {
  return z.object({
    id: z.string(),
    appId: z.string().optional(),
    appName: z.string(),
    tierId: z.string().optional(),
    tierName: z.string().optional(),
    requester: z.string(),
    grantee: z
      .string()
      .optional()
      .describe('Who gets the access, when it is not the requester'),
    status: z.string(),
    level: z.number().describe('Approval level waiting for a decision, or 0'),
    justification: z.string().optional(),
    durationDays: z
      .number()
      .optional()
      .describe('How long the access lasts once granted, in days'),
    failureReason: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    url: z.string().describe('The request page in the portal'),
  });
}

/**
 * App Access in Backstage's actions registry (and so, through
 * `@backstage/plugin-mcp-actions-backend`, for AI assistants over MCP).
 *
 * Every action runs as the user the credentials name and calls the same
 * domain services as the HTTP API with the same caller, so who may see and
 * decide what (separation of duties included) is decided in one place.
 * Inputs carry the limits openapi.yaml puts on the same fields.
 */
export function registerAppAccessActions(options: AppAccessActionsOptions) {
  const { actionsRegistry, services } = options;
  const base = options.appBaseUrl.replace(/\/+$/, '');

  async function callerOf(credentials: BackstageCredentials): Promise<Caller> {
    if (!options.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(
        'App Access actions act for a signed-in user; call them with user credentials',
      );
    }
    const info = await options.userInfo.getUserInfo(credentials);
    return {
      userRef: info.userEntityRef,
      ownershipRefs: info.ownershipEntityRefs,
    };
  }

  async function isAllowed(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ) {
    const [decision] = await options.permissions.authorize([{ permission }], {
      credentials,
    });
    return decision.result === AuthorizeResult.ALLOW;
  }

  const appOut = (app: CatalogApp) => ({
    id: app.id,
    name: app.name,
    vendor: app.vendor,
    category: app.category,
    description: app.description,
    url: `${base}/apps/${encodeURIComponent(app.id)}`,
    tiers: app.tiers.map(t => ({
      id: t.id,
      name: t.name,
      description: t.description,
      needsApproval: t.needsApproval,
      maxDurationDays: t.maxDurationDays,
      durationRequired: t.durationRequired,
    })),
    myRequest: app.myRequest
      ? {
          id: app.myRequest.id,
          tierId: app.myRequest.tierId,
          status: app.myRequest.status,
        }
      : undefined,
  });

  const requestOut = (r: AccessRequest) => ({
    id: r.id,
    appId: r.appId,
    appName: r.appName,
    tierId: r.tierId,
    tierName: r.tierName,
    requester: r.requester,
    grantee: r.grantee && r.grantee !== r.requester ? r.grantee : undefined,
    status: r.status,
    level: r.level,
    justification: r.justification,
    durationDays: r.durationDays,
    failureReason: r.failureReason,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    url: `${base}/apps/requests/${encodeURIComponent(r.id)}`,
  });

  actionsRegistry.register({
    name: 'find-apps',
    title: 'Find apps in App Access',
    description:
      'Searches the App Access catalog of SaaS apps one can request access to, by words in the name, vendor or description and optionally by category. Returns each app with its tiers (license levels), whether the caller needs approval for each, and the caller’s latest request for it.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          query: line(z, Q_MAX, 'query')
            .optional()
            .describe(
              'Words that must appear in the name, vendor or description',
            ),
          category: line(z, CATEGORY_MAX, 'category').optional(),
          limit: z.number().int().min(1).max(200).optional(),
          cursor: line(z, CURSOR_MAX, 'cursor')
            .optional()
            .describe('nextCursor of an earlier answer, for the next page'),
        }),
      output: z =>
        z.object({
          apps: z.array(appSchema(z)),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = await callerOf(credentials);
      const page = await services.catalog.listApps(caller, {
        q: input.query,
        category: input.category,
        sort: 'name',
        limit: input.limit ?? 20,
        cursor: input.cursor,
      });
      return {
        output: { apps: page.items.map(appOut), nextCursor: page.nextCursor },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-app',
    title: 'Show an app, its tiers and who approves them',
    description:
      'One app of the App Access catalog with its tiers, and for each tier who would approve a request from the caller, level by level.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ appId: id(z, 'appId') }),
      output: z =>
        z.object({
          app: appSchema(z),
          approvals: z.array(
            z.object({
              tierId: z.string(),
              needsApproval: z.boolean(),
              levels: z.array(
                z.object({
                  level: z.number(),
                  approvers: z.array(
                    z.object({
                      ref: z.string(),
                      displayName: z.string().optional(),
                    }),
                  ),
                  fallback: z.boolean(),
                  awaitsAdmin: z.boolean().optional(),
                }),
              ),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = await callerOf(credentials);
      const app = await services.catalog.getApp(caller, input.appId);
      const approvals = [];
      for (const tier of app.tiers) {
        const preview = await services.catalog.getApproverPreview(
          caller,
          app.id,
          tier.id,
        );
        approvals.push({ tierId: tier.id, ...preview });
      }
      return { output: { app: appOut(app), approvals } };
    },
  });

  actionsRegistry.register({
    name: 'list-my-access',
    title: 'List my app access',
    description:
      'The apps and tiers the caller has been granted through App Access (their fulfilled requests), newest first.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          limit: z.number().int().min(1).max(200).optional(),
          cursor: line(z, CURSOR_MAX, 'cursor').optional(),
        }),
      output: z =>
        z.object({
          access: z.array(requestSchema(z)),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = await callerOf(credentials);
      const page = await services.requests.listMine(caller, {
        status: 'fulfilled',
        limit: input.limit ?? 50,
        cursor: input.cursor,
      });
      return {
        output: {
          access: page.items.map(requestOut),
          nextCursor: page.nextCursor,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'list-my-access-requests',
    title: 'List my access requests',
    description: `The caller's App Access requests, newest first, optionally only those in some statuses (${REQUEST_STATUSES.join(
      ', ',
    )}).`,
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          statuses: z
            .array(z.enum(REQUEST_STATUSES as [string, ...string[]]))
            .max(REQUEST_STATUSES.length)
            .optional(),
          limit: z.number().int().min(1).max(200).optional(),
          cursor: line(z, CURSOR_MAX, 'cursor').optional(),
        }),
      output: z =>
        z.object({
          requests: z.array(requestSchema(z)),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = await callerOf(credentials);
      const page = await services.requests.listMine(caller, {
        status: input.statuses?.length ? input.statuses.join(',') : undefined,
        limit: input.limit ?? 50,
        cursor: input.cursor,
      });
      return {
        output: {
          requests: page.items.map(requestOut),
          nextCursor: page.nextCursor,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'request-access',
    title: 'Request access to an app',
    description:
      'Requests a tier of an app for the caller (or, with onBehalfOf, for someone the caller may file for), optionally for a number of days. A justification is required when the tier needs approval (see find-apps or get-app); the request then waits for its approvers. Returns the request with a link to it.',
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          appId: id(z, 'appId'),
          tierId: id(z, 'tierId'),
          justification: text(z, 'justification')
            .optional()
            .describe(
              'Why the caller needs it; required when the tier needs approval',
            ),
          neededBy: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, 'neededBy must be YYYY-MM-DD')
            .optional(),
          durationDays: z
            .number()
            .int('durationDays must be a whole number of days')
            .min(1, 'durationDays must be at least 1')
            .max(3650, 'durationDays must be at most 3650')
            .optional()
            .describe(
              "How long the access lasts once granted, at most the tier's maxDurationDays (see get-app); required when the tier has durationRequired. Without it the access lasts until removed.",
            ),
          onBehalfOf: z
            .string()
            .max(300)
            .regex(
              /^user:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/,
              'onBehalfOf must be a user entity ref (user:namespace/name)',
            )
            .optional()
            .describe(
              'A user entity ref: file the request for this person (a direct report, or anyone when the portal allows it). Their manager and groups approve.',
            ),
        }),
      output: z => z.object({ request: requestSchema(z) }),
    },
    action: async ({ input, credentials }) => {
      const caller = await callerOf(credentials);
      const created = await services.requests.submit(caller, input);
      return { output: { request: requestOut(created) } };
    },
  });

  actionsRegistry.register({
    name: 'list-pending-access-approvals',
    title: 'List the access requests waiting for my approval',
    description:
      "Approval tasks waiting for the caller's decision, directly or through a group they belong to, each with its request. Never the caller's own requests.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          limit: z.number().int().min(1).max(200).optional(),
          cursor: line(z, CURSOR_MAX, 'cursor').optional(),
        }),
      output: z =>
        z.object({
          approvals: z.array(
            z.object({
              taskId: z.string(),
              level: z.number(),
              request: requestSchema(z),
            }),
          ),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = await callerOf(credentials);
      const page = await services.requests.listPendingApprovals(caller, {
        limit: input.limit ?? 50,
        cursor: input.cursor,
      });
      return {
        output: {
          approvals: page.items.map(task => ({
            taskId: task.id,
            level: task.level,
            request: requestOut(task.request),
          })),
          nextCursor: page.nextCursor,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'decide-access-request',
    title: 'Approve or deny an access request',
    description:
      'Approves or denies the open approval level of a request waiting for the caller (see list-pending-access-approvals). Denying needs a comment. Nobody decides their own request. Approving can grant access to the requester.',
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: {
      input: z =>
        z.object({
          requestId: id(z, 'requestId'),
          decision: z.enum(['approve', 'deny']),
          comment: text(z, 'comment')
            .optional()
            .describe('Why; required to deny'),
        }),
      output: z => z.object({ request: requestSchema(z) }),
    },
    action: async ({ input, credentials }) => {
      const caller = await callerOf(credentials);
      const decided = await services.requests.decide(
        caller,
        input.requestId,
        { decision: input.decision, comment: input.comment },
        () => isAllowed(credentials, appAccessRequestReadAllPermission),
      );
      return { output: { request: requestOut(decided) } };
    },
  });
}
