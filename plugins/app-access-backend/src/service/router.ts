import express from 'express';
import { JsonObject } from '@backstage/types';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  AppAccessSettings,
  CatalogApp,
  OPEN_STATUSES,
  REQUEST_STATUSES,
  RequestStatus,
  SettingsResponse,
  appAccessAppManagePermission,
  appAccessAuditReadPermission,
  appAccessRequestManagePermission,
  appAccessRequestReadAllPermission,
  appAccessSettingsManagePermission,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { AppStore, StoredApp } from '../database/AppStore';
import { OutboxStore } from '../database/OutboxStore';
import { RequestStore } from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';
import { decodeCursor, encodeCursor, nowIso } from '../database/json';
import {
  ApprovalPolicyResolver,
  effectivePolicy,
  needsApproval,
} from '../workflow/ApprovalPolicyResolver';
import {
  Caller,
  publicRequest,
  RequestWorkflow,
} from '../workflow/RequestWorkflow';
import { appSchema, parseInput } from './schemas';
import { eventsToCsv } from './auditCsv';

export type RouterOptions = {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
  db: import('knex').Knex;
  apps: AppStore;
  requests: RequestStore;
  outbox: OutboxStore;
  settings: SettingsStore;
  workflow: RequestWorkflow;
  resolver: ApprovalPolicyResolver;
  directory: AppAccessDirectory;
  /** Called after an admin revives a dead job, to wake the worker. */
  onJobRevived?: () => void;
  peers?: import('../usage/PeerUsage').PeerUsage;
  usage?: import('../database/UsageStore').UsageStore;
  installedModules: () => { fulfillers: string[]; notifiers: string[] };
  /** The settings page's integrations, as the modules reported them. */
  integrations: () => SettingsResponse['integrations'];
  moduleFor?: (
    kind: 'fulfiller' | 'notifier',
    id: string,
  ) =>
    | {
        selfTest?: () => Promise<
          import('@app-access/plugin-app-access-common').ModuleTestResult
        >;
      }
    | undefined;
};

/**
 * Whether a YYYY-MM-DD string names a day that exists. `Date.parse` alone
 * accepts days past the end of a month ('2026-02-30' becomes 2 March).
 */
function isCalendarDate(d: string): boolean {
  const time = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === d;
}

/** Audit timestamps are stored as UTC ISO strings; compare like with like. */
const auditTime = z
  .string()
  .datetime({ offset: true })
  .transform(t => new Date(t).toISOString());

const idParam = z.string().min(1).max(100);
const limitQuery = z.coerce.number().int().min(1).max(200).default(50);
// Every list's cursor is one it handed out (encodeCursor); anything else is
// refused rather than silently read as "from the start", which would make a
// client that pages with a damaged cursor loop over the first page.
const cursorQuery = z
  .string()
  .max(500)
  .optional()
  .refine(
    c => c === undefined || decodeCursor(c) !== undefined,
    'not a cursor this list returned',
  );
const refQuery = z.string().max(300).optional();

const listAppsQuery = z.object({
  q: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
  limit: limitQuery,
  cursor: cursorQuery,
});

const employeeAppsQuery = listAppsQuery.extend({
  /** name (default, paginated) or popularity with the team / role (whole catalog, ranked). */
  sort: z.enum(['name', 'team', 'role']).default('name'),
});

const createRequestBody = z
  .object({
    appId: idParam,
    tierId: idParam,
    justification: z.string().max(4000).optional(),
    neededBy: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
      .refine(isCalendarDate, 'must be a valid date')
      .optional(),
  })
  .strict();

const intakeBody = z
  .object({
    name: z.string().trim().min(1, 'required').max(200),
    url: z.string().url().max(2000).optional(),
    vendor: z.string().max(200).optional(),
    justification: z.string().trim().min(1, 'required').max(4000),
  })
  .strict();

const decisionBody = z
  .object({
    decision: z.enum(['approve', 'deny']),
    comment: z.string().max(4000).optional(),
  })
  .strict();

const listRequestsQuery = z.object({
  mine: z.enum(['true', 'false']).optional(),
  status: z.string().max(300).optional(),
  limit: limitQuery,
  cursor: cursorQuery,
});

const adminRequestsQuery = z.object({
  status: z.string().max(300).optional(),
  appId: z.string().max(100).optional(),
  requester: refQuery,
  olderThanDays: z.coerce.number().min(0).max(3650).optional(),
  limit: limitQuery,
  cursor: cursorQuery,
});

const settingsBody = z
  .object({
    approvalMethod: z
      .enum(['slack', 'email', 'msteams', 'portal'])
      .nullable()
      .optional(),
    defaultApprovers: z
      .array(
        z
          .string()
          .regex(
            /^(user|group):[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/,
            'must be a user or group entity ref',
          ),
      )
      .max(50)
      .nullable()
      .optional(),
    fallbackApprover: z
      .string()
      .regex(
        /^(user|group):[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/,
        'must be a user or group entity ref',
      )
      .nullable()
      .optional(),
    reminders: z
      .object({
        intervalHours: z
          .number()
          .positive()
          .max(24 * 30),
        maxCount: z.number().int().min(0).max(20),
      })
      .strict()
      .nullable()
      .optional(),
    ticketing: z
      .object({
        system: z.enum(['jira', 'zendesk', 'email', 'manual']),
        auditTickets: z.boolean().optional(),
        jira: z
          .object({
            serviceDeskId: z
              .string()
              .regex(/^\d{1,12}$/, 'must be a numeric id')
              .optional(),
            requestTypeId: z
              .string()
              .regex(/^\d{1,12}$/, 'must be a numeric id')
              .optional(),
          })
          .strict()
          .optional(),
        zendesk: z
          .object({
            groupId: z
              .string()
              .regex(/^\d{1,20}$/, 'must be a numeric id')
              .optional(),
            tags: z
              .array(
                z
                  .string()
                  .regex(/^[a-z0-9_:-]{1,80}$/i, 'must be a simple tag'),
              )
              .max(20)
              .optional(),
          })
          .strict()
          .optional(),
        email: z
          .object({ ticketAddress: z.string().email().max(300).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .nullable()
      .optional(),
    notifications: z
      .object({
        emailFromName: z.string().max(200).optional(),
        emailFromAddress: z.string().email().max(300).optional(),
        slackChannel: z
          .string()
          .regex(
            /^[#]?[a-z0-9._-]{1,80}$|^[CG][A-Z0-9]{6,}$/,
            'must be a channel name such as #it-requests or a channel id',
          )
          .optional(),
      })
      .strict()
      .nullable()
      .optional(),
    peers: z
      .object({
        roleBasis: z.enum(['title', 'department']),
        showNames: z.enum(['none', 'team', 'all']),
      })
      .strict()
      .nullable()
      .optional(),
    branding: z
      .object({
        title: z.string().max(100).optional(),
        logoUrl: z.string().url().max(2000).optional(),
        accentColor: z
          .string()
          .regex(/^#[0-9a-fA-F]{3,8}$/, 'must be a hex colour such as #1f5493')
          .optional(),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();

const auditQuery = z.object({
  requestId: z.string().max(100).optional(),
  appId: z.string().max(100).optional(),
  actor: refQuery,
  type: z.string().max(40).optional(),
  since: auditTime.optional(),
  until: auditTime.optional(),
  format: z.enum(['json', 'csv']).default('json'),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  // The audit list pages by event id; a cursor it did not hand out is refused
  // here rather than reaching the database as NaN.
  cursor: cursorQuery.refine(
    // (cursorQuery itself refuses what does not decode at all)
    c => {
      const decoded = c === undefined ? undefined : decodeCursor(c);
      return decoded === undefined || /^\d{1,18}$/.test(decoded[1]);
    },
    'not a cursor this list returned',
  ),
});

/** How an admin's save changed an app, for the audit trail. */
function appChangeComment(
  existing: StoredApp | undefined,
  app: { listed: boolean },
): string {
  if (!existing) return 'Created';
  if (existing.listed && !app.listed) return 'Removed from the catalog';
  if (!existing.listed && app.listed) return 'Added to the catalog';
  return 'Updated';
}

function parseStatuses(value: string | undefined): RequestStatus[] | undefined {
  if (!value) return undefined;
  const list = value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  for (const s of list) {
    if (!REQUEST_STATUSES.includes(s as RequestStatus)) {
      throw new InputError(
        `status: '${s}' is not one of ${REQUEST_STATUSES.join(', ')}`,
      );
    }
  }
  return list as RequestStatus[];
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    userInfo,
    permissions,
    auditor,
    apps,
    requests,
    outbox,
    settings,
    workflow,
    resolver,
    directory,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  async function caller(
    req: express.Request,
  ): Promise<{ caller: Caller; credentials: BackstageCredentials }> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    return {
      credentials,
      caller: {
        userRef: info.userEntityRef,
        ownershipRefs: info.ownershipEntityRefs,
      },
    };
  }

  async function isAllowed(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ) {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    return decision.result === AuthorizeResult.ALLOW;
  }

  async function requirePermission(
    req: express.Request,
    permission: BasicPermission,
  ) {
    const who = await caller(req);
    if (!(await isAllowed(who.credentials, permission))) {
      throw new NotAllowedError(`You need the ${permission.name} permission`);
    }
    return who;
  }

  /** Runs a mutation inside an auditor event. */
  async function audited<T>(
    req: express.Request,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      request: req,
      severityLevel: 'medium',
      meta,
    });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  /** What each vendor module reported about itself, without its secrets. */
  function integrations() {
    return options.integrations();
  }

  // --- employee ---

  function toCatalogApp(
    app: StoredApp,
    person: DirectoryPerson | undefined,
    mine: Map<string, { id: string; tierId?: string; status: RequestStatus }>,
  ): CatalogApp {
    const { source: _s, seedHash: _h, adminModified: _m, ...rest } = app;
    const my = mine.get(app.id);
    return {
      ...rest,
      tiers: app.tiers.map(t => ({
        ...t,
        needsApproval: needsApproval(effectivePolicy(app, t), person),
      })),
      myRequest: my
        ? { id: my.id, tierId: my.tierId, status: my.status }
        : undefined,
    };
  }

  /**
   * Peer counts and the caller's latest request per app for a catalog page
   * (all listed apps when `appIds` is undefined): one statement with peer
   * usage, the caller's requests alone without.
   */
  async function pageState(
    who: Caller,
    person: DirectoryPerson | undefined,
    currentSettings: AppAccessSettings,
    appIds?: string[],
  ): Promise<{
    counts: Map<string, { team: number; role: number }>;
    mine: Map<string, { id: string; tierId?: string; status: RequestStatus }>;
  }> {
    if (!options.peers) {
      return {
        counts: new Map(),
        mine: await requests.latestByRequester(who.userRef),
      };
    }
    const viewer = await options.peers.viewer(who.userRef, person);
    const { counts, requests: mine } = await options.peers.countsAndRequests(
      viewer,
      currentSettings,
      appIds,
    );
    return { counts, mine };
  }

  router.get('/apps', async (req, res) => {
    const { caller: who } = await caller(req);
    const query = parseInput(employeeAppsQuery, req.query, 'query');
    // The catalog's pages are the same for everyone: served from a cache
    // that admin saves in this process invalidate (AppStore); the caller's
    // person is cached briefly too (PeerReads). Then one statement for the
    // counts and the caller's requests (PeerReads.counts).
    const [currentSettings, person, namePage] = await Promise.all([
      settings.get(),
      directory.getPerson(who.userRef),
      query.sort === 'name'
        ? apps.list({ ...query, listed: true }, { cached: true })
        : undefined,
    ]);
    if (!namePage) {
      // Ranked by peer usage across the whole catalog; cursor is an offset.
      const all: StoredApp[] = [];
      let cursor: string | undefined;
      do {
        const page = await apps.list(
          {
            q: query.q,
            category: query.category,
            listed: true,
            limit: 200,
            cursor,
          },
          { cached: true },
        );
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      const { counts, mine } = await pageState(who, person, currentSettings);
      const key = query.sort === 'role' ? 'role' : 'team';
      all.sort(
        (a, b) =>
          (counts.get(b.id)?.[key] ?? 0) - (counts.get(a.id)?.[key] ?? 0) ||
          a.name.localeCompare(b.name),
      );
      const offset = query.cursor
        ? Number(decodeCursor(query.cursor)?.[1] ?? NaN)
        : 0;
      if (!Number.isInteger(offset) || offset < 0) {
        throw new InputError('cursor: not a cursor this list returned');
      }
      const slice = all.slice(offset, offset + query.limit);
      const items = slice.map(a => toCatalogApp(a, person, mine));
      res.json({
        items: items.map(a => ({
          ...a,
          peers: counts.get(a.id) ?? { team: 0, role: 0 },
        })),
        nextCursor:
          offset + query.limit < all.length
            ? encodeCursor('offset', offset + query.limit)
            : undefined,
      });
      return;
    }
    const page = namePage;
    const { counts, mine } = await pageState(
      who,
      person,
      currentSettings,
      page.items.map(a => a.id),
    );
    const items = page.items.map(a => toCatalogApp(a, person, mine));
    res.json({
      items: items.map(a => ({
        ...a,
        peers: counts.get(a.id) ?? { team: 0, role: 0 },
      })),
      nextCursor: page.nextCursor,
    });
  });

  router.get('/apps/:id/peers', async (req, res) => {
    const { caller: who } = await caller(req);
    const id = parseInput(idParam, req.params.id, 'id');
    const app = await apps.getCached(id);
    if (!app || !app.listed)
      throw new NotFoundError(`No app '${id}' in the catalog`);
    if (!options.peers) throw new NotFoundError('Peer usage is not available');
    const details = await options.peers.details(
      await options.peers.viewer(who.userRef),
      await settings.get(),
      id,
    );
    res.json(details);
  });

  router.get('/recommendations', async (req, res) => {
    const { caller: who } = await caller(req);
    const query = parseInput(
      z.object({ limit: z.coerce.number().int().min(1).max(50).default(10) }),
      req.query,
      'query',
    );
    if (!options.peers || !options.usage) {
      res.json({ items: [] });
      return;
    }
    const person = await directory.getPerson(who.userRef);
    const viewer = await options.peers.viewer(who.userRef, person);
    const mine = await requests.latestByRequester(who.userRef);
    const excluded = new Set([
      ...(await options.usage.appsOf(who.userRef)),
      ...mine.keys(),
    ]);
    const recs = await options.peers.recommendations(
      viewer,
      await settings.get(),
      await apps.listedIds(),
      excluded,
      async ref => ref.replace(/^group:[^/]+\//, ''),
      query.limit,
    );
    const items = [];
    for (const r of recs) {
      const app = await apps.getCached(r.appId);
      if (app) items.push({ ...r, app: toCatalogApp(app, person, mine) });
    }
    res.json({ items });
  });

  router.get('/admin/sync', async (req, res) => {
    await requirePermission(req, appAccessSettingsManagePermission);
    res.json({
      items: options.usage ? await options.usage.listSyncs() : [],
      people: options.usage ? await options.usage.peopleCount() : 0,
    });
  });

  router.get('/apps/:id', async (req, res) => {
    const { caller: who } = await caller(req);
    const id = parseInput(idParam, req.params.id, 'id');
    const app = await apps.get(id);
    if (!app || !app.listed)
      throw new NotFoundError(`No app '${id}' in the catalog`);
    const mine = await requests.latestByRequester(who.userRef);
    res.json(toCatalogApp(app, await directory.getPerson(who.userRef), mine));
  });

  router.get('/apps/:id/tiers/:tierId/approvers', async (req, res) => {
    const { caller: who } = await caller(req);
    const app = await apps.get(parseInput(idParam, req.params.id, 'id'));
    if (!app || !app.listed)
      throw new NotFoundError(`No app '${req.params.id}' in the catalog`);
    const tier = app.tiers.find(t => t.id === req.params.tierId);
    if (!tier)
      throw new NotFoundError(
        `App '${app.id}' has no tier '${req.params.tierId}'`,
      );
    const plan = await resolver.plan({
      app,
      tier,
      requesterRef: who.userRef,
      settings: await settings.get(),
    });
    const levels = await Promise.all(
      plan.levels.map(async l => ({
        level: l.level,
        fallback: l.fallback,
        approvers: await Promise.all(
          l.approvers.map(async ref => ({
            ref,
            displayName: ref.startsWith('user:')
              ? (
                  await directory.getPerson(ref)
                )?.displayName
              : undefined,
          })),
        ),
      })),
    );
    res.json({ needsApproval: plan.needsApproval, levels });
  });

  router.post('/requests', async (req, res) => {
    const { caller: who } = await caller(req);
    const body = parseInput(createRequestBody, req.body);
    const created = await audited(
      req,
      'request-submit',
      { appId: body.appId, tierId: body.tierId },
      () => workflow.submit(who, body),
    );
    res.status(201).json(await workflow.withDetails(created));
  });

  router.post('/requests/intake', async (req, res) => {
    const { caller: who } = await caller(req);
    const body = parseInput(intakeBody, req.body);
    const created = await audited(
      req,
      'request-intake',
      { name: body.name },
      () => workflow.submitIntake(who, body),
    );
    res.status(201).json(await workflow.withDetails(created));
  });

  router.get('/requests', async (req, res) => {
    const { caller: who } = await caller(req);
    const query = parseInput(listRequestsQuery, req.query, 'query');
    const page = await requests.list({
      requester: who.userRef,
      status: parseStatuses(query.status),
      limit: query.limit,
      cursor: query.cursor,
    });
    res.json({
      items: page.items.map(publicRequest),
      nextCursor: page.nextCursor,
    });
  });

  router.get('/requests/:id', async (req, res) => {
    const { caller: who, credentials } = await caller(req);
    const request = await workflow.getRequest(
      parseInput(idParam, req.params.id, 'id'),
    );
    if (request.requester !== who.userRef) {
      const tasks = await requests.tasksForRequest(request.id);
      const isApprover = tasks.some(t => RequestWorkflow.holdsTask(t, who));
      if (
        !isApprover &&
        !(await isAllowed(credentials, appAccessRequestReadAllPermission))
      ) {
        // Not found rather than forbidden: others' request ids are not disclosed.
        throw new NotFoundError(`No request with id '${request.id}'`);
      }
    }
    res.json(await workflow.withDetails(request));
  });

  router.post('/requests/:id/cancel', async (req, res) => {
    const { caller: who } = await caller(req);
    const id = parseInput(idParam, req.params.id, 'id');
    const updated = await audited(
      req,
      'request-cancel',
      { requestId: id },
      () => workflow.cancel(who, id),
    );
    res.json(await workflow.withDetails(updated));
  });

  // --- approver ---

  router.get('/approvals', async (req, res) => {
    const { caller: who } = await caller(req);
    const query = parseInput(
      z.object({ limit: limitQuery, cursor: cursorQuery }),
      req.query,
      'query',
    );
    const page = await requests.pendingTasksFor(
      [...new Set([who.userRef, ...who.ownershipRefs])],
      query,
    );
    const items = [];
    for (const task of page.items) {
      const request = await requests.get(task.requestId);
      // Never offer someone their own request, even through a group.
      if (request && request.requester !== who.userRef) {
        items.push({ ...task, request: publicRequest(request) });
      }
    }
    res.json({ items, nextCursor: page.nextCursor });
  });

  router.post('/requests/:id/decisions', async (req, res) => {
    const { caller: who } = await caller(req);
    const id = parseInput(idParam, req.params.id, 'id');
    const body = parseInput(decisionBody, req.body);
    const updated = await audited(
      req,
      'request-decide',
      { requestId: id, decision: body.decision },
      () => workflow.decide(who, id, body),
    );
    res.json(await workflow.withDetails(updated));
  });

  // --- admin: settings ---

  router.get('/settings', async (req, res) => {
    await requirePermission(req, appAccessSettingsManagePermission);
    const view = await settings.view();
    res.json({
      ...view,
      modules: options.installedModules(),
      integrations: integrations(),
    });
  });

  router.put('/settings', async (req, res) => {
    const { caller: who } = await requirePermission(
      req,
      appAccessSettingsManagePermission,
    );
    const body = parseInput(settingsBody, req.body) as Partial<
      Record<keyof AppAccessSettings, unknown>
    >;
    await audited(
      req,
      'settings-update',
      { keys: Object.keys(body) },
      async () => {
        await options.db.transaction(async tx => {
          await settings.update(body, who.userRef, tx);
          await requests.addEvent(
            {
              actor: who.userRef,
              type: 'settings_changed',
              data: body as Record<string, unknown>,
            },
            tx,
          );
        });
      },
    );
    settings.invalidate();
    res.json({
      ...(await settings.view()),
      modules: options.installedModules(),
      integrations: integrations(),
    });
  });

  router.post('/admin/modules/:kind/:id/test', async (req, res) => {
    await requirePermission(req, appAccessSettingsManagePermission);
    const kind = parseInput(
      z.enum(['fulfiller', 'notifier']),
      req.params.kind,
      'kind',
    );
    const id = parseInput(idParam, req.params.id, 'id');
    const module = options.moduleFor?.(kind, id);
    if (!module) {
      throw new NotFoundError(`The ${kind} '${id}' is not installed`);
    }
    if (!module.selfTest) {
      res.json({
        ok: true,
        message: `The ${kind} '${id}' has nothing to check`,
      });
      return;
    }
    try {
      res.json(await module.selfTest());
    } catch (error) {
      res.json({ ok: false, message: (error as Error).message });
    }
  });

  // --- admin: apps ---

  router.get('/admin/apps', async (req, res) => {
    await requirePermission(req, appAccessAppManagePermission);
    const query = parseInput(
      listAppsQuery.extend({ listed: z.enum(['true', 'false']).optional() }),
      req.query,
      'query',
    );
    const page = await apps.list({
      q: query.q,
      category: query.category,
      limit: query.limit,
      cursor: query.cursor,
      listed: query.listed === undefined ? undefined : query.listed === 'true',
    });
    res.json(page);
  });

  router.get('/admin/apps/:id', async (req, res) => {
    await requirePermission(req, appAccessAppManagePermission);
    const app = await apps.get(parseInput(idParam, req.params.id, 'id'));
    if (!app) throw new NotFoundError(`No app '${req.params.id}'`);
    res.json(app);
  });

  async function saveApp(
    req: express.Request,
    body: unknown,
    mustBeNew: boolean,
    urlId?: string,
  ) {
    const { caller: who } = await requirePermission(
      req,
      appAccessAppManagePermission,
    );
    // Checked after the permission: non-admins learn nothing about the body.
    const bodyId = (body as { id?: unknown } | undefined)?.id;
    if (urlId !== undefined && bodyId !== urlId) {
      throw new InputError(
        `id: the body's id '${bodyId}' differs from the URL's '${urlId}'`,
      );
    }
    const app = parseInput(appSchema, body);
    return audited(
      req,
      mustBeNew ? 'app-create' : 'app-update',
      { appId: app.id },
      () =>
        options.db.transaction(async tx => {
          const existing = await apps.get(app.id, tx);
          if (mustBeNew && existing) {
            throw new ConflictError(
              `An app with id '${app.id}' already exists`,
            );
          }
          await apps.save(
            app,
            {
              source: existing?.source ?? 'admin',
              seedHash: existing?.seedHash,
              adminModified: true,
            },
            tx,
          );
          await requests.addEvent(
            {
              appId: app.id,
              actor: who.userRef,
              type: 'app_changed',
              comment: appChangeComment(existing, app),
              data: { listed: app.listed, tiers: app.tiers.map(t => t.id) },
            },
            tx,
          );
          return (await apps.get(app.id, tx))!;
        }),
    );
  }

  router.post('/admin/apps', async (req, res) => {
    res.status(201).json(await saveApp(req, req.body, true));
  });

  router.put('/admin/apps/:id', async (req, res) => {
    const id = parseInput(idParam, req.params.id, 'id');
    const body = { ...(req.body ?? {}), id: req.body?.id ?? id };
    res.json(await saveApp(req, body, false, id));
  });

  // --- admin: requests and outbox ---

  router.get('/admin/requests', async (req, res) => {
    await requirePermission(req, appAccessRequestReadAllPermission);
    const query = parseInput(adminRequestsQuery, req.query, 'query');
    const page = await requests.list({
      status: parseStatuses(query.status),
      appId: query.appId,
      requester: query.requester,
      olderThan:
        query.olderThanDays !== undefined
          ? nowIso(new Date(Date.now() - query.olderThanDays * 86400_000))
          : undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
    res.json({
      items: page.items.map(publicRequest),
      nextCursor: page.nextCursor,
    });
  });

  router.get('/admin/requests/:id', async (req, res) => {
    await requirePermission(req, appAccessRequestReadAllPermission);
    const request = await workflow.getRequest(
      parseInput(idParam, req.params.id, 'id'),
    );
    res.json(await workflow.withDetails(request));
  });

  router.post('/admin/requests/:id/retry', async (req, res) => {
    const { caller: who } = await requirePermission(
      req,
      appAccessRequestManagePermission,
    );
    const id = parseInput(idParam, req.params.id, 'id');
    const updated = await audited(req, 'request-retry', { requestId: id }, () =>
      workflow.retry(who, id),
    );
    res.json(await workflow.withDetails(updated));
  });

  router.post('/admin/requests/:id/mark-fulfilled', async (req, res) => {
    const { caller: who } = await requirePermission(
      req,
      appAccessRequestManagePermission,
    );
    const id = parseInput(idParam, req.params.id, 'id');
    const body = parseInput(
      z.object({ note: z.string().max(4000).optional() }).strict(),
      req.body ?? {},
    );
    const updated = await audited(
      req,
      'request-mark-fulfilled',
      { requestId: id },
      () => workflow.markFulfilled(who, id, body.note),
    );
    res.json(await workflow.withDetails(updated));
  });

  router.get('/admin/outbox', async (req, res) => {
    await requirePermission(req, appAccessRequestManagePermission);
    const query = parseInput(
      z.object({
        status: z.enum(['pending', 'running', 'done', 'dead']).optional(),
        kind: z.string().max(50).optional(),
        limit: limitQuery,
      }),
      req.query,
      'query',
    );
    res.json({
      items: await outbox.list(query),
      counts: await outbox.countByStatus(),
    });
  });

  router.post('/admin/outbox/:id/retry', async (req, res) => {
    await requirePermission(req, appAccessRequestManagePermission);
    const id = parseInput(
      z.string().regex(/^\d{1,18}$/, 'must be a job id'),
      req.params.id,
      'id',
    );
    const job = await outbox.get(id);
    if (!job) throw new NotFoundError(`No outbox job ${id}`);
    await audited(req, 'outbox-retry', { jobId: id }, async () => {
      await options.db.transaction(async tx => {
        if (!(await outbox.revive(id, tx))) {
          throw new ConflictError(
            `Outbox job ${id} is ${job.status}, not dead`,
          );
        }
        // A dead fulfil job failed its request; reviving the job resumes it.
        if (job.kind === 'fulfill' && job.payload.requestId) {
          const request = await requests.get(String(job.payload.requestId), tx);
          if (request?.status === 'failed') {
            await requests.transition(
              request.id,
              'failed',
              { status: 'fulfilling', failure_reason: null },
              tx,
            );
            await requests.addEvent(
              {
                requestId: request.id,
                appId: request.appId,
                actor: (await caller(req)).caller.userRef,
                type: 'retried',
                fromStatus: 'failed',
                toStatus: 'fulfilling',
              },
              tx,
            );
          }
        }
      });
    });
    options.onJobRevived?.();
    res.json(await outbox.get(id));
  });

  // --- admin: audit trail ---

  router.get('/admin/audit', async (req, res) => {
    await requirePermission(req, appAccessAuditReadPermission);
    const query = parseInput(auditQuery, req.query, 'query');
    const page = await requests.listEvents(query);
    if (query.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        'attachment; filename="app-access-audit.csv"',
      );
      res.send(eventsToCsv(page.items));
      return;
    }
    res.json(page);
  });

  router.get('/categories', async (req, res) => {
    await caller(req);
    res.json({ items: await apps.categories() });
  });

  // Statuses counted as open, for clients that show badges.
  router.get('/meta', async (req, res) => {
    await caller(req);
    res.json({ statuses: REQUEST_STATUSES, openStatuses: OPEN_STATUSES });
  });

  return router;
}
