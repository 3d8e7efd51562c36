import http from 'node:http';
import crypto from 'node:crypto';
import {
  FakeVendorApi,
  FakeVendorCall,
  FakeVendorFailure,
  FakeVendorRequest,
} from '@app-access/plugin-app-access-node/testUtils';

/**
 * A local Okta org for tests and benchmarks. It speaks the Management API's
 * wire format closely enough for the real `@okta/okta-sdk-nodejs` client:
 * SSWS and OAuth (private key JWT) auth, `Link: <…>; rel="next"` paging with
 * `limit` / `after`, Okta error bodies, per-family rate limits with the
 * `X-Rate-Limit-*` headers, app users that provision asynchronously, and a
 * System Log (`/api/v1/logs`) that records every change made to the data.
 *
 * Data lives in in-memory maps, so it holds 100,000 users and millions of
 * app users (turn the System Log off while seeding that many, see `setSystemLog`).
 */

/** Rate-limit buckets; real Okta has finer ones, these are enough to test with. */
export type FakeOktaFamily =
  | 'users'
  | 'groups'
  | 'apps'
  | 'logs'
  | 'oauth'
  | 'other';

/** One System Log event, in Okta's wire format (the fields App Access reads and a few more). */
export type FakeOktaLogEvent = {
  uuid: string;
  published: string;
  eventType: string;
  version: string;
  severity: 'INFO' | 'WARN';
  displayMessage: string;
  actor: { id: string; type: string; alternateId: string; displayName: string };
  outcome: { result: 'SUCCESS' };
  target: Array<{
    id: string;
    type: 'User' | 'UserGroup' | 'AppInstance' | 'AppUser';
    alternateId: string;
    displayName: string;
  }>;
};

export type FakeOktaUser = {
  id: string;
  status: string;
  created: string;
  lastUpdated: string;
  profile: {
    login: string;
    email: string;
    firstName: string;
    lastName: string;
    [key: string]: unknown;
  };
};

export type FakeOktaGroup = {
  id: string;
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  profile: { name: string; description?: string };
};

export type FakeOktaApp = {
  id: string;
  name: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  signOnMode: string;
  created: string;
  lastUpdated: string;
  logoUrl?: string;
  /**
   * Without it the app is SSO only: an assignment is ACTIVE at once. With it,
   * a new app user is STAGED/SYNCING and turns PROVISIONED/SYNCHRONIZED after
   * `readsUntilProvisioned` reads of that app user (or ERROR with `syncError`).
   */
  provisioning?: { readsUntilProvisioned: number; syncError?: boolean };
};

export type FakeOktaAppUser = {
  id: string;
  scope: 'USER' | 'GROUP';
  status: string;
  syncState: string;
  created: string;
  lastUpdated: string;
  statusChanged: string;
  lastSync?: string;
  /** Reads of this app user left before it is provisioned. */
  readsLeft: number;
};

/** An injected failure for the next matching request(s). */
export type FakeOktaFailure = {
  /** HTTP status to answer with (429, 500, 503, …); ignored for `disconnect`. */
  status?: number;
  /** Drop the connection instead of answering (a network error for the client). */
  disconnect?: boolean;
  /**
   * With `disconnect`: do what was asked first, then drop the connection, so
   * the change happened in Okta but the client never heard (a lost answer).
   */
  afterHandling?: boolean;
  family?: FakeOktaFamily;
  method?: string;
  /** Only requests whose path contains this text (or matches this pattern). */
  path?: string | RegExp;
  /** For 429: seconds until X-Rate-Limit-Reset (default: the current window's end). */
  resetInSeconds?: number;
  /** Let this many matching requests through first ("fail after N pages"). */
  skip?: number;
  /** Answer with an HTML page instead of Okta's JSON error body (like a proxy would). */
  html?: boolean;
};

export type FakeOktaOAuthClient = {
  clientId: string;
  /** Public key that verifies the client's assertions (PEM, JWK or KeyObject). */
  publicKey: crypto.KeyObject | string | Record<string, unknown>;
  /** Scopes the client was granted in Okta; asking for others is refused. */
  grantedScopes: string[];
};

export type FakeOktaOptions = {
  /** Accepted SSWS API tokens (default `test-api-token`). */
  apiTokens?: string[];
  oauthClients?: FakeOktaOAuthClient[];
  /** Requests per window per family (default 600, Okta's usual per-minute figure). */
  rateLimits?: Partial<Record<FakeOktaFamily, number>>;
  /** Rate-limit window length (default 60 s). */
  rateLimitWindowSeconds?: number;
  /** Rate-limit window length in ms; wins over `rateLimitWindowSeconds` (short windows for tests). */
  rateLimitWindowMs?: number;
  /** Record System Log events (default true); `setSystemLog` switches it later. */
  systemLog?: boolean;
  /** Caps every page (Okta caps at 200 for most lists); small values force paging in tests. */
  maxPageSize?: number;
  /** Delay before every answer, for benchmarks. */
  latencyMs?: number;
  /** Keep at most this many entries in `requests` (default 10 000). */
  requestLogLimit?: number;
};

/** One answered request, with the route it matched (`PUT /api/v1/groups/:groupId/users/:userId`). */
export type FakeOktaRequest = {
  method: string;
  path: string;
  /** The query string, with its `?` (`''` without one). */
  query: string;
  route: string;
  family: FakeOktaFamily;
  /** 0 when the connection was dropped. */
  status: number;
  /** The X-Rate-Limit-* headers of the answer (reset in epoch seconds). */
  rateLimit?: { limit: number; remaining: number; reset: number };
  /** When it arrived (ms since epoch). */
  at: number;
};

type Ctx = {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  method: string;
  params: Record<string, string>;
  body: string;
};

type Route = {
  method: string;
  pattern: string;
  regex: RegExp;
  keys: string[];
  family: FakeOktaFamily;
  /** Bearer tokens need one of these scopes. */
  scopes: string[];
  handle(ctx: Ctx): void;
};

class FakeOktaHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(errorSummary);
  }
}

const notFound = (what: string, type: string) =>
  new FakeOktaHttpError(
    404,
    'E0000007',
    `Not found: Resource not found: ${what} (${type})`,
  );

/** Okta's default and maximum page sizes per list. */
const PAGE_SIZES = {
  users: { def: 200, max: 200 },
  groups: { def: 10000, max: 10000 },
  groupUsers: { def: 1000, max: 1000 },
  apps: { def: 20, max: 200 },
  appUsers: { def: 50, max: 500 },
  appGroups: { def: 20, max: 200 },
  logs: { def: 100, max: 1000 },
};

let lastIso = { second: -1, text: '' };

/** Okta-style timestamp (whole seconds); one shared string per second keeps big seeds small. */
function iso(date?: Date) {
  if (date) return date.toISOString().replace(/\.\d{3}Z$/, '.000Z');
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastIso.second) {
    lastIso = {
      second,
      text: new Date(second * 1000).toISOString(),
    };
  }
  return lastIso.text;
}

function shiftIso(value: string, ms: number) {
  return new Date(Date.parse(value) - ms).toISOString();
}

function oktaId(prefix: string) {
  const alphabet =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(17);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function base64url(input: string) {
  return Buffer.from(input, 'base64url');
}

/** Reads a dotted path such as `profile.email` from an object. */
function pick(obj: unknown, path: string): unknown {
  let value: any = obj;
  for (const part of path.split('.')) value = value?.[part];
  return value;
}

/**
 * Okta's filter/search expression language, the subset tests need:
 * `field op "value"` clauses joined by `and`, groups of those joined by `or`
 * (`and` binds tighter; parentheses only group); ops eq, ne, sw, co, gt, ge,
 * lt, le. Quoted values may hold spaces, parentheses and `\"`.
 */
function compileExpression(expr: string): (item: unknown) => boolean {
  const invalid = () =>
    new FakeOktaHttpError(400, 'E0000031', 'Invalid search criteria.');
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[()]|[^\s()"]+)/y;
  let at = 0;
  while (at < expr.length) {
    const m = re.exec(expr);
    if (!m) break;
    tokens.push(m[1]);
    at = re.lastIndex;
  }
  if (expr.slice(at).trim()) throw invalid();
  const words = tokens.filter(t => t !== '(' && t !== ')');
  const alternatives: Array<Array<(item: unknown) => boolean>> = [[]];
  for (let i = 0; i < words.length; ) {
    const [field, rawOp, value] = words.slice(i, i + 3);
    const op = rawOp?.toLowerCase();
    if (
      !field ||
      !/^[\w.]+$/.test(field) ||
      !['eq', 'ne', 'sw', 'co', 'gt', 'ge', 'lt', 'le'].includes(op) ||
      value === undefined
    ) {
      throw invalid();
    }
    const wanted = value.startsWith('"')
      ? value.slice(1, -1).replace(/\\(.)/g, '$1')
      : value;
    alternatives[alternatives.length - 1].push(
      compileClause(field, op, wanted),
    );
    i += 3;
    if (i >= words.length) break;
    const joiner = words[i].toLowerCase();
    if (joiner === 'or') alternatives.push([]);
    else if (joiner !== 'and') throw invalid();
    i += 1;
    if (i >= words.length) throw invalid();
  }
  if (!alternatives[0].length) throw invalid();
  return item => alternatives.some(all => all.every(c => c(item)));
}

function compileClause(
  field: string,
  op: string,
  wanted: string,
): (item: unknown) => boolean {
  const b = wanted.toLowerCase();
  return (item: unknown) => {
    const actual = pick(item, field);
    if (actual === undefined || actual === null) return op === 'ne';
    const a = String(actual).toLowerCase();
    switch (op) {
      case 'eq':
        return a === b;
      case 'ne':
        return a !== b;
      case 'sw':
        return a.startsWith(b);
      case 'co':
        return a.includes(b);
      case 'gt':
        return a > b;
      case 'ge':
        return a >= b;
      case 'lt':
        return a < b;
      default:
        return a <= b;
    }
  };
}

export class FakeOkta extends FakeVendorApi {
  readonly users = new Map<string, FakeOktaUser>();
  /** Lower-cased login → user id. */
  private readonly logins = new Map<string, string>();
  readonly groups = new Map<string, FakeOktaGroup>();
  /** Group id → member user ids, in the order they were added. */
  readonly groupMembers = new Map<string, Set<string>>();
  readonly apps = new Map<string, FakeOktaApp>();
  /** App id → user id → app user. */
  readonly appUsers = new Map<string, Map<string, FakeOktaAppUser>>();
  /** App id → assigned group ids. */
  readonly appGroups = new Map<
    string,
    Map<string, { priority: number; lastUpdated: string }>
  >();
  /** The System Log, oldest first. */
  readonly events: FakeOktaLogEvent[] = [];

  /** Group id → ids of the apps it is assigned to. */
  private readonly groupApps = new Map<string, Set<string>>();
  private systemLog: boolean;

  private readonly apiTokens: Set<string>;
  private readonly accessTokens = new Map<
    string,
    { clientId: string; scopes: Set<string>; expires: number }
  >();
  private readonly rateLimits: Record<FakeOktaFamily, number>;
  private readonly windows = new Map<
    FakeOktaFamily,
    { start: number; used: number }
  >();
  private readonly routes: Route[] = [];
  /** The route each call matched, looked up once. */
  private readonly routeByCall = new WeakMap<
    FakeVendorCall,
    { route?: Route; params: Record<string, string> }
  >();
  /** The X-Rate-Limit-* values each answered call carried. */
  private readonly limitsByCall = new WeakMap<
    FakeVendorCall,
    FakeOktaRequest['rateLimit']
  >();
  /** Calls that came in over their family's rate limit. */
  private readonly overLimit = new WeakSet<FakeVendorCall>();

  constructor(private readonly options: FakeOktaOptions = {}) {
    super();
    this.callLimit = options.requestLogLimit ?? 10_000;
    this.apiTokens = new Set(options.apiTokens ?? ['test-api-token']);
    this.systemLog = options.systemLog ?? true;
    this.rateLimits = {
      users: 600,
      groups: 600,
      apps: 600,
      logs: 600,
      oauth: 600,
      other: 600,
      ...options.rateLimits,
    };
    this.defineRoutes();
  }

  /** The org URL to give the SDK (`http://127.0.0.1:PORT`), once started. */
  private get baseUrl(): string {
    return this.url;
  }

  /** The latest answered requests (bounded by `requestLogLimit`). */
  get requests(): FakeOktaRequest[] {
    return this.calls
      .filter(call => call.finished)
      .map(call => {
        const { route } = this.routeOf(call);
        const search = call.url.indexOf('?');
        return {
          method: call.method,
          path: call.path,
          query: search === -1 ? '' : call.url.slice(search),
          route: route?.pattern ?? call.path,
          family: route?.family ?? 'other',
          status: call.status,
          rateLimit: this.limitsByCall.get(call),
          at: call.at,
        };
      });
  }

  // --- data -----------------------------------------------------------------
  //
  // Every change below is recorded in the System Log (`events`, served at
  // GET /api/v1/logs) under the event type Okta uses for it, and users'
  // `lastUpdated` moves when their profile or status changes, so an
  // incremental sync can find what changed.

  addUser(input: {
    login: string;
    email?: string;
    firstName?: string;
    lastName?: string;
    status?: string;
    id?: string;
    lastUpdated?: string;
    /** Extra profile attributes (title, department, displayName, managerId, …). */
    profile?: Record<string, unknown>;
  }): FakeOktaUser {
    const now = iso();
    const [first, last] = input.login.split('@')[0].split('.');
    const user: FakeOktaUser = {
      id: input.id ?? oktaId('00u'),
      status: input.status ?? 'ACTIVE',
      created: now,
      lastUpdated: input.lastUpdated ?? now,
      profile: {
        ...input.profile,
        login: input.login,
        email: input.email ?? input.login,
        firstName: input.firstName ?? first ?? input.login,
        lastName: input.lastName ?? last ?? '',
      },
    };
    this.users.set(user.id, user);
    this.logins.set(user.profile.login.toLowerCase(), user.id);
    this.log('user.lifecycle.create', 'Create okta user', [
      this.userTarget(user),
    ]);
    return user;
  }

  /**
   * Changes a user's profile attributes and/or status (ACTIVE, SUSPENDED,
   * DEPROVISIONED, …); `lastUpdated` becomes now.
   */
  updateUser(
    idOrLogin: string,
    changes: { status?: string; profile?: Record<string, unknown> },
  ): FakeOktaUser {
    const user = this.findUser(idOrLogin);
    if (!user) throw new Error(`No user ${idOrLogin}`);
    if (changes.profile) {
      Object.assign(user.profile, changes.profile);
      this.log('user.account.update_profile', 'Update user profile for Okta', [
        this.userTarget(user),
      ]);
    }
    if (changes.status && changes.status !== user.status) {
      user.status = changes.status;
      const type =
        {
          DEPROVISIONED: 'user.lifecycle.deactivate',
          SUSPENDED: 'user.lifecycle.suspend',
          ACTIVE: 'user.lifecycle.activate',
        }[changes.status] ?? 'user.lifecycle.update';
      this.log(type, `User status ${changes.status}`, [this.userTarget(user)]);
    }
    user.lastUpdated = iso();
    return user;
  }

  /** Deletes a user for good (Okta only deletes deactivated users; the fake does not check). */
  removeUser(idOrLogin: string) {
    const user = this.findUser(idOrLogin);
    if (!user) return;
    this.users.delete(user.id);
    this.logins.delete(user.profile.login.toLowerCase());
    for (const members of this.groupMembers.values()) members.delete(user.id);
    for (const appUsers of this.appUsers.values()) appUsers.delete(user.id);
    this.log('user.lifecycle.delete.completed', 'Delete Okta user completed', [
      this.userTarget(user),
    ]);
  }

  findUser(idOrLogin: string): FakeOktaUser | undefined {
    return (
      this.users.get(idOrLogin) ??
      this.users.get(this.logins.get(idOrLogin.toLowerCase()) ?? '')
    );
  }

  addGroup(input: {
    name: string;
    description?: string;
    id?: string;
    type?: FakeOktaGroup['type'];
  }): FakeOktaGroup {
    const now = iso();
    const group: FakeOktaGroup = {
      id: input.id ?? oktaId('00g'),
      type: input.type ?? 'OKTA_GROUP',
      created: now,
      lastUpdated: now,
      lastMembershipUpdated: now,
      profile: { name: input.name, description: input.description },
    };
    this.groups.set(group.id, group);
    this.groupMembers.set(group.id, new Set());
    this.log('group.lifecycle.create', 'Create okta group', [
      this.groupTarget(group),
    ]);
    return group;
  }

  renameGroup(id: string, name: string) {
    const group = this.groups.get(id);
    if (!group) throw new Error(`No group ${id}`);
    group.profile.name = name;
    group.lastUpdated = iso();
    this.log('group.profile.update', 'Update group profile', [
      this.groupTarget(group),
    ]);
  }

  removeGroup(id: string) {
    const group = this.groups.get(id);
    if (!group) return;
    for (const appId of [...(this.groupApps.get(id) ?? [])]) {
      this.unassignGroupFromApp(appId, id);
    }
    this.groups.delete(id);
    this.groupMembers.delete(id);
    this.groupApps.delete(id);
    this.log('group.lifecycle.delete', 'Delete Okta group', [
      this.groupTarget(group),
    ]);
  }

  addApp(input: {
    label: string;
    name?: string;
    id?: string;
    status?: FakeOktaApp['status'];
    signOnMode?: string;
    logoUrl?: string;
    provisioning?: FakeOktaApp['provisioning'];
  }): FakeOktaApp {
    const now = iso();
    const id = input.id ?? oktaId('0oa');
    const app: FakeOktaApp = {
      id,
      name: input.name ?? input.label.toLowerCase().replace(/[^a-z0-9]+/g, '_'),
      label: input.label,
      status: input.status ?? 'ACTIVE',
      signOnMode: input.signOnMode ?? 'SAML_2_0',
      created: now,
      lastUpdated: now,
      logoUrl: input.logoUrl ?? `https://ok12static.oktacdn.com/fs/bco/4/${id}`,
      provisioning: input.provisioning,
    };
    this.apps.set(id, app);
    this.appUsers.set(id, new Map());
    this.appGroups.set(id, new Map());
    this.log('application.lifecycle.create', 'Add application', [
      this.appTarget(app),
    ]);
    return app;
  }

  /** Renames, activates or deactivates an app. */
  updateApp(
    id: string,
    changes: { label?: string; status?: FakeOktaApp['status'] },
  ) {
    const app = this.apps.get(id);
    if (!app) throw new Error(`No app ${id}`);
    if (changes.label) app.label = changes.label;
    let type = 'application.lifecycle.update';
    if (changes.status && changes.status !== app.status) {
      app.status = changes.status;
      type =
        changes.status === 'ACTIVE'
          ? 'application.lifecycle.activate'
          : 'application.lifecycle.deactivate';
    }
    app.lastUpdated = iso();
    this.log(type, 'Update application', [this.appTarget(app)]);
  }

  /** Assigns a group to an app: its members (present and future) get app users. */
  assignGroupToApp(appId: string, groupId: string, priority = 0) {
    const app = this.apps.get(appId);
    const group = this.groups.get(groupId);
    if (!app || !group) return;
    this.appGroups.get(appId)!.set(groupId, { priority, lastUpdated: iso() });
    this.groupAppsOf(groupId).add(appId);
    this.log('group.application_assignment.add', 'Assign group to app', [
      this.groupTarget(group),
      this.appTarget(app),
    ]);
    for (const userId of this.groupMembers.get(groupId) ?? []) {
      this.assignAppUser(appId, userId, 'GROUP');
    }
  }

  /** Takes a group off an app: members no other group or direct assignment covers lose it. */
  unassignGroupFromApp(appId: string, groupId: string) {
    const app = this.apps.get(appId);
    const group = this.groups.get(groupId);
    if (!app || !group || !this.appGroups.get(appId)!.delete(groupId)) return;
    this.groupApps.get(groupId)?.delete(appId);
    this.log('group.application_assignment.remove', 'Unassign group from app', [
      this.groupTarget(group),
      this.appTarget(app),
    ]);
    for (const userId of this.groupMembers.get(groupId) ?? []) {
      this.dropGroupAppUser(appId, userId);
    }
  }

  /** Adds a member directly (no request counted). */
  addToGroup(groupId: string, userId: string) {
    const members = this.groupMembers.get(groupId);
    if (!members) throw new Error(`No group ${groupId}`);
    if (members.has(userId)) return;
    members.add(userId);
    const group = this.groups.get(groupId)!;
    group.lastMembershipUpdated = iso();
    const user = this.users.get(userId);
    if (user) {
      this.log('group.user_membership.add', 'Add user to group membership', [
        this.userTarget(user),
        this.groupTarget(group),
      ]);
    }
    for (const appId of this.groupApps.get(groupId) ?? []) {
      this.assignAppUser(appId, userId, 'GROUP');
    }
  }

  /** Removes a member (no request counted); app users the group gave go too. */
  removeFromGroup(groupId: string, userId: string) {
    const members = this.groupMembers.get(groupId);
    if (!members?.delete(userId)) return;
    const group = this.groups.get(groupId)!;
    group.lastMembershipUpdated = iso();
    const user = this.users.get(userId);
    if (user) {
      this.log(
        'group.user_membership.remove',
        'Remove user from group membership',
        [this.userTarget(user), this.groupTarget(group)],
      );
    }
    for (const appId of this.groupApps.get(groupId) ?? []) {
      this.dropGroupAppUser(appId, userId);
    }
  }

  /** Assigns a user to an app directly (no request counted). */
  assignUserToApp(appId: string, userId: string): FakeOktaAppUser {
    if (!this.apps.has(appId)) throw new Error(`No app ${appId}`);
    return this.assignAppUser(appId, userId, 'USER');
  }

  /**
   * Removes a direct assignment. When a group still gives the app, the app
   * user stays with scope GROUP (Okta does the same).
   */
  unassignUserFromApp(appId: string, userId: string): boolean {
    const appUsers = this.appUsers.get(appId);
    const appUser = appUsers?.get(userId);
    if (!appUser) return false;
    const app = this.apps.get(appId)!;
    if (this.coveringGroup(appId, userId)) {
      appUser.scope = 'GROUP';
      appUser.lastUpdated = iso();
    } else {
      appUsers!.delete(userId);
    }
    const user = this.users.get(userId);
    if (user) {
      this.log(
        'application.user_membership.remove',
        'Remove user from application membership',
        [this.userTarget(user), this.appUserTarget(user), this.appTarget(app)],
      );
    }
    return true;
  }

  /** A sign-in to an app through Okta (`user.authentication.sso`). */
  recordSignIn(appId: string, userIdOrLogin: string, at = new Date()) {
    const app = this.apps.get(appId);
    const user = this.findUser(userIdOrLogin);
    if (!app || !user) throw new Error('No such app or user');
    this.log(
      'user.authentication.sso',
      'User single sign on to app',
      [this.appTarget(app)],
      { at, actor: user },
    );
  }

  isMember(groupId: string, userIdOrLogin: string): boolean {
    const user = this.findUser(userIdOrLogin);
    return !!user && !!this.groupMembers.get(groupId)?.has(user.id);
  }

  getAppUser(
    appId: string,
    userIdOrLogin: string,
  ): FakeOktaAppUser | undefined {
    const user = this.findUser(userIdOrLogin);
    return user ? this.appUsers.get(appId)?.get(user.id) : undefined;
  }

  /**
   * Moves every timestamp (users, groups, apps, System Log events) `ms` into
   * the past, as if the data had been there for a while: tests seed, backdate,
   * then change something and see that an incremental sync finds just that.
   */
  backdate(ms: number) {
    for (const u of this.users.values()) {
      u.created = shiftIso(u.created, ms);
      u.lastUpdated = shiftIso(u.lastUpdated, ms);
    }
    for (const g of this.groups.values()) {
      g.created = shiftIso(g.created, ms);
      g.lastUpdated = shiftIso(g.lastUpdated, ms);
      g.lastMembershipUpdated = shiftIso(g.lastMembershipUpdated, ms);
    }
    for (const a of this.apps.values()) {
      a.created = shiftIso(a.created, ms);
      a.lastUpdated = shiftIso(a.lastUpdated, ms);
    }
    for (const e of this.events) e.published = shiftIso(e.published, ms);
  }

  private groupAppsOf(groupId: string) {
    let apps = this.groupApps.get(groupId);
    if (!apps) {
      apps = new Set();
      this.groupApps.set(groupId, apps);
    }
    return apps;
  }

  private coveringGroup(appId: string, userId: string): boolean {
    for (const groupId of this.appGroups.get(appId)?.keys() ?? []) {
      if (this.groupMembers.get(groupId)?.has(userId)) return true;
    }
    return false;
  }

  /** A group no longer gives the app: the app user goes unless still covered. */
  private dropGroupAppUser(appId: string, userId: string) {
    const appUsers = this.appUsers.get(appId);
    const appUser = appUsers?.get(userId);
    if (!appUser || appUser.scope === 'USER') return;
    if (this.coveringGroup(appId, userId)) return;
    appUsers!.delete(userId);
    const user = this.users.get(userId);
    if (user) {
      this.log(
        'application.user_membership.remove',
        'Remove user from application membership',
        [
          this.userTarget(user),
          this.appUserTarget(user),
          this.appTarget(this.apps.get(appId)!),
        ],
      );
    }
  }

  private assignAppUser(
    appId: string,
    userId: string,
    scope: 'USER' | 'GROUP',
  ) {
    const app = this.apps.get(appId)!;
    const appUsers = this.appUsers.get(appId)!;
    const existing = appUsers.get(userId);
    const now = iso();
    if (existing) {
      // A direct assignment takes over a group one; never the other way round.
      if (scope === 'USER' && existing.scope !== 'USER') {
        existing.scope = 'USER';
        this.logAppMembership(app, userId);
      }
      existing.lastUpdated = now;
      return existing;
    }
    // SSO-only apps have nothing to push: the assignment is active at once.
    const appUser: FakeOktaAppUser = {
      id: userId,
      scope,
      status: 'ACTIVE',
      syncState: 'DISABLED',
      created: now,
      lastUpdated: now,
      statusChanged: now,
      readsLeft: 0,
    };
    if (app.provisioning) {
      appUser.status = 'STAGED';
      appUser.syncState = 'SYNCING';
      appUser.readsLeft = Math.max(1, app.provisioning.readsUntilProvisioned);
      // With readsUntilProvisioned 0 the account is pushed on the spot.
      if (app.provisioning.readsUntilProvisioned <= 0)
        this.advanceProvisioning(app, appUser);
    }
    appUsers.set(userId, appUser);
    this.logAppMembership(app, userId);
    return appUser;
  }

  private logAppMembership(app: FakeOktaApp, userId: string) {
    if (!this.systemLog) return;
    const user = this.users.get(userId);
    if (!user) return;
    this.log(
      'application.user_membership.add',
      'Add user to application membership',
      [this.userTarget(user), this.appUserTarget(user), this.appTarget(app)],
    );
  }

  private userTarget(user: FakeOktaUser) {
    return {
      id: user.id,
      type: 'User' as const,
      alternateId: user.profile.login,
      displayName: `${user.profile.firstName} ${user.profile.lastName}`.trim(),
    };
  }

  private appUserTarget(user: FakeOktaUser) {
    return { ...this.userTarget(user), type: 'AppUser' as const };
  }

  private groupTarget(group: FakeOktaGroup) {
    return {
      id: group.id,
      type: 'UserGroup' as const,
      alternateId: 'unknown',
      displayName: group.profile.name,
    };
  }

  private appTarget(app: FakeOktaApp) {
    return {
      id: app.id,
      type: 'AppInstance' as const,
      alternateId: app.label,
      displayName: app.label,
    };
  }

  private log(
    eventType: string,
    displayMessage: string,
    target: FakeOktaLogEvent['target'],
    options: { at?: Date; actor?: FakeOktaUser } = {},
  ) {
    if (!this.systemLog) return;
    const actor = options.actor
      ? this.userTarget(options.actor)
      : {
          id: '00uadmin000000000000',
          type: 'User',
          alternateId: 'admin@acme.example',
          displayName: 'Okta Admin',
        };
    this.events.push({
      uuid: crypto.randomUUID(),
      published: (options.at ?? new Date()).toISOString(),
      eventType,
      version: '0',
      severity: 'INFO',
      displayMessage,
      actor,
      outcome: { result: 'SUCCESS' },
      target,
    });
  }

  /** One read of an app user moves its provisioning along. */
  private advanceProvisioning(app: FakeOktaApp, appUser: FakeOktaAppUser) {
    if (!app.provisioning || appUser.readsLeft <= 0) return;
    appUser.readsLeft -= 1;
    if (appUser.readsLeft > 0) return;
    const now = iso();
    appUser.lastUpdated = now;
    appUser.statusChanged = now;
    appUser.lastSync = now;
    if (app.provisioning.syncError) {
      appUser.syncState = 'ERROR';
    } else {
      appUser.status = 'PROVISIONED';
      appUser.syncState = 'SYNCHRONIZED';
    }
  }

  // --- test switches ----------------------------------------------------------

  /** Answers the next `count` matching requests with a failure (429, 5xx or a dropped connection). */
  failNext(
    count: number,
    failure: FakeOktaFailure | number = 503,
    options: Omit<FakeVendorFailure, 'status'> = {},
  ) {
    if (typeof failure === 'number') {
      super.failNext(count, failure, options);
      return;
    }
    const { family, path } = failure;
    let drop: FakeVendorFailure['drop'];
    if (failure.disconnect) drop = failure.afterHandling ? 'after' : 'before';
    super.failNext(count, {
      status: failure.status ?? 503,
      method: failure.method,
      skip: failure.skip,
      drop,
      // Okta's paths are matched by what they contain, and by rate-limit family.
      when: call =>
        (!family || (this.routeOf(call).route?.family ?? 'other') === family) &&
        (!path ||
          (typeof path === 'string'
            ? call.path.includes(path)
            : path.test(call.path))),
      vendor: { resetInSeconds: failure.resetInSeconds, html: failure.html },
    });
  }

  /** Turns System Log recording on or off (off while seeding millions of assignments). */
  setSystemLog(on: boolean) {
    this.systemLog = on;
  }

  clearSystemLog() {
    this.events.length = 0;
  }

  setRateLimit(family: FakeOktaFamily, perWindow: number) {
    this.rateLimits[family] = perWindow;
    this.windows.delete(family);
  }

  setApiTokens(tokens: string[]) {
    this.apiTokens.clear();
    for (const t of tokens) this.apiTokens.add(t);
  }

  /** How many requests (of the request log) matched a route, e.g. `POST /api/v1/apps/:appId/users`. */
  count(route: string): number {
    return this.requests.filter(r => `${r.method} ${r.route}` === route).length;
  }

  /** Forgets counters, the request log, failures and rate-limit windows (data stays). */
  resetCounters() {
    this.reset();
    this.windows.clear();
  }

  // --- wire format --------------------------------------------------------------

  private userJson(user: FakeOktaUser) {
    return {
      id: user.id,
      status: user.status,
      created: user.created,
      activated: user.created,
      statusChanged: user.lastUpdated,
      lastLogin: null,
      lastUpdated: user.lastUpdated,
      passwordChanged: null,
      type: { id: 'oty1fakeusertype0000' },
      profile: { mobilePhone: null, secondEmail: null, ...user.profile },
      credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
      _links: { self: { href: `${this.baseUrl}/api/v1/users/${user.id}` } },
    };
  }

  private groupJson(group: FakeOktaGroup) {
    return {
      id: group.id,
      created: group.created,
      lastUpdated: group.lastUpdated,
      lastMembershipUpdated: group.lastMembershipUpdated,
      objectClass: ['okta:user_group'],
      type: group.type,
      profile: group.profile,
      _links: {
        logo: [
          {
            name: 'medium',
            href: 'https://op1static.oktacdn.com/assets/img/logos/groups/okta-medium.png',
            type: 'image/png',
          },
        ],
        users: { href: `${this.baseUrl}/api/v1/groups/${group.id}/users` },
        apps: { href: `${this.baseUrl}/api/v1/groups/${group.id}/apps` },
      },
    };
  }

  private appJson(app: FakeOktaApp) {
    return {
      id: app.id,
      orn: `orn:okta:idp:fake:apps:${app.name}:${app.id}`,
      name: app.name,
      label: app.label,
      status: app.status,
      lastUpdated: app.lastUpdated,
      created: app.created,
      accessibility: {
        selfService: false,
        errorRedirectUrl: null,
        loginRedirectUrl: null,
      },
      visibility: {
        autoSubmitToolbar: false,
        hide: { iOS: false, web: false },
        appLinks: { [app.name]: true },
      },
      features: app.provisioning
        ? ['PUSH_NEW_USERS', 'PUSH_USER_DEACTIVATION']
        : [],
      signOnMode: app.signOnMode,
      credentials: {
        userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      },
      settings: {
        app: {},
        notifications: { vpn: { network: { connection: 'DISABLED' } } },
      },
      _links: {
        logo: app.logoUrl
          ? [{ name: 'medium', href: app.logoUrl, type: 'image/png' }]
          : [],
        appLinks: [],
        users: { href: `${this.baseUrl}/api/v1/apps/${app.id}/users` },
        groups: { href: `${this.baseUrl}/api/v1/apps/${app.id}/groups` },
        self: { href: `${this.baseUrl}/api/v1/apps/${app.id}` },
      },
    };
  }

  private appUserJson(appId: string, appUser: FakeOktaAppUser) {
    const user = this.users.get(appUser.id);
    return {
      id: appUser.id,
      externalId: null,
      created: appUser.created,
      lastUpdated: appUser.lastUpdated,
      scope: appUser.scope,
      status: appUser.status,
      statusChanged: appUser.statusChanged,
      passwordChanged: null,
      syncState: appUser.syncState,
      lastSync: appUser.lastSync ?? null,
      credentials: { userName: user?.profile.login },
      profile: {},
      _links: {
        app: { href: `${this.baseUrl}/api/v1/apps/${appId}` },
        user: { href: `${this.baseUrl}/api/v1/users/${appUser.id}` },
      },
    };
  }

  private defineRoutes() {
    const read = (family: string) => [
      `okta.${family}.read`,
      `okta.${family}.manage`,
    ];
    const manage = (family: string) => [`okta.${family}.manage`];
    const add = (
      method: string,
      pattern: string,
      family: FakeOktaFamily,
      scopes: string[],
      handle: (ctx: Ctx) => void,
    ) => {
      const keys: string[] = [];
      const regex = new RegExp(
        `^${pattern.replace(/:(\w+)/g, (_m, key) => {
          keys.push(key);
          return '([^/]+)';
        })}$`,
      );
      this.routes.push({
        method,
        pattern,
        regex,
        keys,
        family,
        scopes,
        handle,
      });
    };

    add('GET', '/api/v1/users', 'users', read('users'), ctx => {
      const q = ctx.url.searchParams.get('q')?.toLowerCase();
      const expr =
        ctx.url.searchParams.get('search') ??
        ctx.url.searchParams.get('filter');
      const match = expr ? compileExpression(expr) : undefined;
      let items = [...this.users.values()];
      if (q) {
        items = items.filter(u =>
          [u.profile.firstName, u.profile.lastName, u.profile.email].some(v =>
            v?.toLowerCase().startsWith(q),
          ),
        );
      }
      if (match) items = items.filter(match);
      // Like Okta: a plain list leaves out deactivated users; search and
      // filter see every status.
      else items = items.filter(u => u.status !== 'DEPROVISIONED');
      this.page(
        ctx,
        items,
        u => u.id,
        PAGE_SIZES.users,
        u => this.userJson(u),
      );
    });
    add('GET', '/api/v1/users/:idOrLogin', 'users', read('users'), ctx => {
      const user = this.findUser(ctx.params.idOrLogin);
      if (!user) throw notFound(ctx.params.idOrLogin, 'User');
      this.json(ctx, 200, this.userJson(user));
    });

    add(
      'GET',
      '/api/v1/users/:idOrLogin/groups',
      'users',
      read('groups'),
      ctx => {
        const user = this.findUser(ctx.params.idOrLogin);
        if (!user) throw notFound(ctx.params.idOrLogin, 'User');
        const items = [...this.groups.values()].filter(g =>
          this.groupMembers.get(g.id)?.has(user.id),
        );
        this.page(
          ctx,
          items,
          g => g.id,
          PAGE_SIZES.groups,
          g => this.groupJson(g),
        );
      },
    );

    add('GET', '/api/v1/groups', 'groups', read('groups'), ctx => {
      const q = ctx.url.searchParams.get('q')?.toLowerCase();
      const expr =
        ctx.url.searchParams.get('search') ??
        ctx.url.searchParams.get('filter');
      const match = expr ? compileExpression(expr) : undefined;
      let items = [...this.groups.values()];
      if (q)
        items = items.filter(g => g.profile.name.toLowerCase().startsWith(q));
      if (match) items = items.filter(match);
      this.page(
        ctx,
        items,
        g => g.id,
        PAGE_SIZES.groups,
        g => this.groupJson(g),
      );
    });
    add('GET', '/api/v1/groups/:groupId', 'groups', read('groups'), ctx => {
      const group = this.groups.get(ctx.params.groupId);
      if (!group) throw notFound(ctx.params.groupId, 'UserGroup');
      this.json(ctx, 200, this.groupJson(group));
    });
    add(
      'GET',
      '/api/v1/groups/:groupId/users',
      'groups',
      read('groups'),
      ctx => {
        const members = this.groupMembers.get(ctx.params.groupId);
        if (!members) throw notFound(ctx.params.groupId, 'UserGroup');
        const items = [...members]
          .map(id => this.users.get(id)!)
          .filter(Boolean);
        this.page(
          ctx,
          items,
          u => u.id,
          PAGE_SIZES.groupUsers,
          u => this.userJson(u),
        );
      },
    );
    add(
      'PUT',
      '/api/v1/groups/:groupId/users/:userId',
      'groups',
      manage('groups'),
      ctx => {
        const group = this.groups.get(ctx.params.groupId);
        if (!group) throw notFound(ctx.params.groupId, 'UserGroup');
        const user = this.users.get(ctx.params.userId);
        if (!user) throw notFound(ctx.params.userId, 'User');
        if (group.type !== 'OKTA_GROUP') {
          throw new FakeOktaHttpError(
            403,
            'E0000006',
            'You do not have permission to perform the requested action',
          );
        }
        this.addToGroup(group.id, user.id);
        this.empty(ctx, 204);
      },
    );
    add(
      'DELETE',
      '/api/v1/groups/:groupId/users/:userId',
      'groups',
      manage('groups'),
      ctx => {
        const members = this.groupMembers.get(ctx.params.groupId);
        if (!members) throw notFound(ctx.params.groupId, 'UserGroup');
        this.removeFromGroup(ctx.params.groupId, ctx.params.userId);
        this.empty(ctx, 204);
      },
    );

    add('GET', '/api/v1/apps', 'apps', read('apps'), ctx => {
      const q = ctx.url.searchParams.get('q')?.toLowerCase();
      const expr = ctx.url.searchParams.get('filter');
      const match = expr ? compileExpression(expr) : undefined;
      let items = [...this.apps.values()];
      if (q) {
        items = items.filter(
          a =>
            a.name.toLowerCase().startsWith(q) ||
            a.label.toLowerCase().startsWith(q),
        );
      }
      if (match) items = items.filter(match);
      this.page(
        ctx,
        items,
        a => a.id,
        PAGE_SIZES.apps,
        a => this.appJson(a),
      );
    });
    add('GET', '/api/v1/apps/:appId', 'apps', read('apps'), ctx => {
      this.json(ctx, 200, this.appJson(this.app(ctx.params.appId)));
    });
    add('GET', '/api/v1/apps/:appId/users', 'apps', read('apps'), ctx => {
      const app = this.app(ctx.params.appId);
      const items = [...this.appUsers.get(app.id)!.values()];
      this.page(
        ctx,
        items,
        u => u.id,
        PAGE_SIZES.appUsers,
        u => this.appUserJson(app.id, u),
      );
    });
    add(
      'GET',
      '/api/v1/apps/:appId/users/:userId',
      'apps',
      read('apps'),
      ctx => {
        const app = this.app(ctx.params.appId);
        const appUser = this.appUsers.get(app.id)!.get(ctx.params.userId);
        if (!appUser) throw notFound(ctx.params.userId, 'AppUser');
        this.advanceProvisioning(app, appUser);
        this.json(ctx, 200, this.appUserJson(app.id, appUser));
      },
    );
    add('POST', '/api/v1/apps/:appId/users', 'apps', manage('apps'), ctx => {
      const app = this.app(ctx.params.appId);
      let body: { id?: string; scope?: string };
      try {
        body = JSON.parse(ctx.body || '{}');
      } catch {
        throw new FakeOktaHttpError(
          400,
          'E0000003',
          'The request body was not well-formed.',
        );
      }
      const user = body.id ? this.users.get(body.id) : undefined;
      if (!user) throw notFound(String(body.id), 'User');
      if (app.status !== 'ACTIVE') {
        throw new FakeOktaHttpError(
          400,
          'E0000001',
          'Api validation failed: Cannot assign users to an inactive application',
        );
      }
      const appUser = this.assignAppUser(app.id, user.id, 'USER');
      this.json(ctx, 200, this.appUserJson(app.id, appUser));
    });
    add(
      'POST',
      '/api/v1/apps/:appId/users/:userId',
      'apps',
      manage('apps'),
      ctx => {
        const app = this.app(ctx.params.appId);
        const appUser = this.appUsers.get(app.id)!.get(ctx.params.userId);
        if (!appUser) throw notFound(ctx.params.userId, 'AppUser');
        appUser.lastUpdated = iso();
        this.json(ctx, 200, this.appUserJson(app.id, appUser));
      },
    );
    add(
      'DELETE',
      '/api/v1/apps/:appId/users/:userId',
      'apps',
      manage('apps'),
      ctx => {
        const app = this.app(ctx.params.appId);
        if (!this.unassignUserFromApp(app.id, ctx.params.userId)) {
          throw notFound(ctx.params.userId, 'AppUser');
        }
        this.empty(ctx, 204);
      },
    );
    add('GET', '/api/v1/apps/:appId/groups', 'apps', read('apps'), ctx => {
      const app = this.app(ctx.params.appId);
      const items = [...this.appGroups.get(app.id)!.entries()];
      this.page(
        ctx,
        items,
        ([id]) => id,
        PAGE_SIZES.appGroups,
        ([id, a]) => this.appGroupJson(app.id, id, a),
      );
    });
    add(
      'GET',
      '/api/v1/apps/:appId/groups/:groupId',
      'apps',
      read('apps'),
      ctx => {
        const app = this.app(ctx.params.appId);
        const assignment = this.appGroups.get(app.id)!.get(ctx.params.groupId);
        if (!assignment)
          throw notFound(ctx.params.groupId, 'ApplicationGroupAssignment');
        this.json(
          ctx,
          200,
          this.appGroupJson(app.id, ctx.params.groupId, assignment),
        );
      },
    );
    add(
      'PUT',
      '/api/v1/apps/:appId/groups/:groupId',
      'apps',
      manage('apps'),
      ctx => {
        const app = this.app(ctx.params.appId);
        if (!this.groups.has(ctx.params.groupId))
          throw notFound(ctx.params.groupId, 'UserGroup');
        this.assignGroupToApp(app.id, ctx.params.groupId);
        const assignment = this.appGroups.get(app.id)!.get(ctx.params.groupId)!;
        this.json(
          ctx,
          200,
          this.appGroupJson(app.id, ctx.params.groupId, assignment),
        );
      },
    );

    add('GET', '/api/v1/logs', 'logs', ['okta.logs.read'], ctx => {
      this.systemLogPage(ctx);
    });

    add('POST', '/oauth2/v1/token', 'oauth', [], ctx => this.token(ctx));
  }

  /**
   * GET /api/v1/logs: `since` (default 7 days ago), `until`, `filter`, `q`,
   * `limit` (≤ 1000), `after`, `sortOrder` ASCENDING (default) or DESCENDING.
   * Like Okta, without `until` it is a polling request: there is always a
   * `next` link, even after the last event; with `until` the pages end.
   */
  private systemLogPage(ctx: Ctx) {
    const params = ctx.url.searchParams;
    const time = (name: string, fallback: number) => {
      const raw = params.get(name);
      if (!raw) return fallback;
      const value = Date.parse(raw);
      if (Number.isNaN(value)) {
        throw new FakeOktaHttpError(
          400,
          'E0000001',
          `Api validation failed: ${name}`,
        );
      }
      return value;
    };
    const since = time('since', Date.now() - 7 * 24 * 3600_000);
    const until = time('until', Infinity);
    const expr = params.get('filter');
    const match = expr ? compileExpression(expr) : undefined;
    const q = params.get('q')?.toLowerCase();
    let items = this.events.filter(e => {
      const at = Date.parse(e.published);
      return at >= since && at < until;
    });
    if (match) items = items.filter(match);
    if (q) {
      items = items.filter(e => JSON.stringify(e).toLowerCase().includes(q));
    }
    items.sort((a, b) => a.published.localeCompare(b.published));
    if (params.get('sortOrder') === 'DESCENDING') items.reverse();
    const polling = !params.get('until');
    const max = Math.min(
      PAGE_SIZES.logs.max,
      this.options.maxPageSize ?? Infinity,
    );
    const limit = Math.max(
      1,
      Math.min(Number(params.get('limit') ?? PAGE_SIZES.logs.def) || 1, max),
    );
    const after = params.get('after');
    let start = 0;
    if (after) {
      const index = items.findIndex(e => e.uuid === after);
      start = index === -1 ? items.length : index + 1;
    }
    const page = items.slice(start, start + limit);
    const links = [
      `<${this.baseUrl}${ctx.url.pathname}${ctx.url.search}>; rel="self"`,
    ];
    const lastId = page.length ? page[page.length - 1].uuid : after;
    if ((polling || start + limit < items.length) && lastId) {
      const next = new URLSearchParams(params);
      next.set('after', lastId);
      links.push(`<${this.baseUrl}${ctx.url.pathname}?${next}>; rel="next"`);
    }
    ctx.res.setHeader('Link', links);
    this.json(ctx, 200, page);
  }

  private appGroupJson(
    appId: string,
    groupId: string,
    assignment: { priority: number; lastUpdated: string },
  ) {
    return {
      id: groupId,
      lastUpdated: assignment.lastUpdated,
      priority: assignment.priority,
      profile: {},
      _links: {
        app: { href: `${this.baseUrl}/api/v1/apps/${appId}` },
        self: {
          href: `${this.baseUrl}/api/v1/apps/${appId}/groups/${groupId}`,
        },
        group: { href: `${this.baseUrl}/api/v1/groups/${groupId}` },
      },
    };
  }

  private app(appId: string): FakeOktaApp {
    const app = this.apps.get(appId);
    if (!app) throw notFound(appId, 'AppInstance');
    return app;
  }

  /** Client credentials with a private key JWT assertion, as the SDK sends it. */
  private token(ctx: Ctx) {
    const form = new URLSearchParams(ctx.body);
    const fail = (status: number, error: string, description: string) =>
      this.json(ctx, status, { error, error_description: description });
    if (form.get('grant_type') !== 'client_credentials') {
      fail(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported.',
      );
      return;
    }
    const assertion = form.get('client_assertion') ?? '';
    const [h, p, s] = assertion.split('.');
    let claims: { iss?: string; sub?: string; aud?: string; exp?: number };
    let header: { alg?: string };
    try {
      header = JSON.parse(base64url(h).toString());
      claims = JSON.parse(base64url(p).toString());
    } catch {
      fail(401, 'invalid_client', 'The client_assertion is not a valid JWT.');
      return;
    }
    const client = this.options.oauthClients?.find(
      c => c.clientId === claims.iss,
    );
    if (!client || claims.sub !== claims.iss) {
      fail(401, 'invalid_client', 'The client_id is invalid.');
      return;
    }
    let key: crypto.KeyObject;
    if (client.publicKey instanceof crypto.KeyObject) key = client.publicKey;
    else if (typeof client.publicKey === 'string')
      key = crypto.createPublicKey(client.publicKey);
    else key = crypto.createPublicKey({ key: client.publicKey, format: 'jwk' });
    const algorithm = header.alg === 'ES256' ? 'sha256' : 'RSA-SHA256';
    const valid =
      !!s &&
      crypto.verify(
        algorithm,
        Buffer.from(`${h}.${p}`),
        header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
        base64url(s),
      );
    if (!valid) {
      fail(401, 'invalid_client', 'The client_assertion signature is invalid.');
      return;
    }
    if (claims.aud !== `${this.baseUrl}/oauth2/v1/token`) {
      fail(
        401,
        'invalid_client',
        'The audience claim for client_assertion must be the endpoint invoked for the request.',
      );
      return;
    }
    if (!claims.exp || claims.exp * 1000 < Date.now()) {
      fail(401, 'invalid_client', 'The client_assertion token is expired.');
      return;
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const refused = scopes.filter(sc => !client.grantedScopes.includes(sc));
    if (refused.length) {
      fail(
        400,
        'invalid_scope',
        `The following scopes were requested, but not granted to the client: ${refused.join(
          ', ',
        )}`,
      );
      return;
    }
    const accessToken = crypto.randomBytes(24).toString('base64url');
    this.accessTokens.set(accessToken, {
      clientId: client.clientId,
      scopes: new Set(scopes),
      expires: Date.now() + 3600_000,
    });
    this.json(ctx, 200, {
      token_type: 'Bearer',
      expires_in: 3600,
      access_token: accessToken,
      scope: scopes.join(' '),
    });
  }

  // --- plumbing -------------------------------------------------------------------

  private json(ctx: Ctx, status: number, body: unknown) {
    ctx.res.statusCode = status;
    ctx.res.setHeader('Content-Type', 'application/json');
    ctx.res.end(JSON.stringify(body));
  }

  private empty(ctx: Ctx, status: number) {
    ctx.res.statusCode = status;
    ctx.res.end();
  }

  /** One page of a list, with Okta's `Link` headers. */
  private page<T>(
    ctx: Ctx,
    items: T[],
    idOf: (item: T) => string,
    sizes: { def: number; max: number },
    toJson: (item: T) => unknown,
  ) {
    const params = ctx.url.searchParams;
    const max = Math.min(sizes.max, this.options.maxPageSize ?? Infinity);
    const requested = Number(params.get('limit') ?? sizes.def);
    const limit = Math.max(
      1,
      Math.min(Number.isFinite(requested) ? requested : sizes.def, max),
    );
    const after = params.get('after');
    let start = 0;
    if (after) {
      const index = items.findIndex(item => idOf(item) === after);
      start = index === -1 ? items.length : index + 1;
    }
    const pageItems = items.slice(start, start + limit);
    const links = [
      `<${this.baseUrl}${ctx.url.pathname}${ctx.url.search}>; rel="self"`,
    ];
    if (start + limit < items.length && pageItems.length) {
      const next = new URLSearchParams(params);
      next.set('after', idOf(pageItems[pageItems.length - 1]));
      next.set('limit', String(limit));
      links.push(`<${this.baseUrl}${ctx.url.pathname}?${next}>; rel="next"`);
    }
    ctx.res.setHeader('Link', links);
    this.json(ctx, 200, pageItems.map(toJson));
  }

  private error(res: http.ServerResponse, error: FakeOktaHttpError) {
    for (const [name, value] of Object.entries(error.headers))
      res.setHeader(name, value);
    res.statusCode = error.status;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        errorCode: error.errorCode,
        errorSummary: error.errorSummary,
        errorLink: error.errorCode,
        errorId: oktaId('oae'),
        errorCauses: [],
      }),
    );
  }

  /** Counts the request in its family's window; returns the headers to send. */
  private rateLimit(family: FakeOktaFamily): {
    headers: Record<string, string>;
    exceeded: boolean;
  } {
    const windowMs =
      this.options.rateLimitWindowMs ??
      (this.options.rateLimitWindowSeconds ?? 60) * 1000;
    const now = Date.now();
    let window = this.windows.get(family);
    if (!window || now >= window.start + windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(family, window);
    }
    const limit = this.rateLimits[family];
    const exceeded = window.used >= limit;
    if (!exceeded) window.used += 1;
    return {
      exceeded,
      headers: {
        'X-Rate-Limit-Limit': String(limit),
        'X-Rate-Limit-Remaining': String(Math.max(0, limit - window.used)),
        'X-Rate-Limit-Reset': String(
          Math.ceil((window.start + windowMs) / 1000),
        ),
      },
    };
  }

  private authorize(req: http.IncomingMessage, route: Route) {
    const header = req.headers.authorization ?? '';
    const [scheme, token] = header.split(' ', 2);
    if (scheme === 'SSWS' && token && this.apiTokens.has(token)) return;
    if (scheme === 'Bearer' && token) {
      const entry = this.accessTokens.get(token);
      if (entry && entry.expires > Date.now()) {
        if (!route.scopes.some(sc => entry.scopes.has(sc))) {
          throw new FakeOktaHttpError(
            403,
            'E0000006',
            'You do not have permission to perform the requested action',
            {
              'WWW-Authenticate': `Bearer authorization_uri="${
                this.baseUrl
              }/oauth2/v1/authorize", realm="${
                this.baseUrl
              }", scope="${route.scopes.join(
                ' ',
              )}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${
                route.pattern
              }"`,
            },
          );
        }
        return;
      }
    }
    throw new FakeOktaHttpError(401, 'E0000011', 'Invalid token provided');
  }

  private routeOf(call: FakeVendorCall) {
    let match = this.routeByCall.get(call);
    if (!match) {
      let params: Record<string, string> = {};
      const route = this.routes.find(r => {
        if (r.method !== call.method.toUpperCase()) return false;
        const m = r.regex.exec(call.path);
        if (!m) return false;
        params = Object.fromEntries(
          r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]),
        );
        return true;
      });
      match = { route, params };
      this.routeByCall.set(call, match);
    }
    return match;
  }

  /** Every answer, failures included, counts in its family's window and carries Okta's headers. */
  protected async prepare({ res, call }: FakeVendorRequest) {
    if (this.options.latencyMs) {
      await new Promise(resolve => setTimeout(resolve, this.options.latencyMs));
    }
    res.setHeader('X-Okta-Request-Id', oktaId('req'));
    const limit = this.rateLimit(this.routeOf(call).route?.family ?? 'other');
    for (const [name, value] of Object.entries(limit.headers))
      res.setHeader(name, value);
    if (limit.exceeded) this.overLimit.add(call);
    res.on('finish', () => {
      const remaining = res.getHeader('X-Rate-Limit-Remaining');
      if (remaining === undefined) return;
      this.limitsByCall.set(call, {
        limit: Number(res.getHeader('X-Rate-Limit-Limit')),
        remaining: Number(remaining),
        reset: Number(res.getHeader('X-Rate-Limit-Reset')),
      });
    });
  }

  protected answerFailure(
    { res }: FakeVendorRequest,
    failure: FakeVendorFailure,
  ) {
    const status = failure.status ?? 503;
    const { resetInSeconds, html } = (failure.vendor ?? {}) as {
      resetInSeconds?: number;
      html?: boolean;
    };
    if (status === 429 && resetInSeconds !== undefined) {
      res.setHeader(
        'X-Rate-Limit-Reset',
        String(Math.ceil(Date.now() / 1000 + resetInSeconds)),
      );
    }
    if (status === 429) res.setHeader('X-Rate-Limit-Remaining', '0');
    if (html) {
      res.writeHead(status, { 'Content-Type': 'text/html' });
      res.end(
        `<html><body><h1>${status} ${http.STATUS_CODES[status]}</h1></body></html>`,
      );
      return;
    }
    this.error(res, this.failureError(status));
  }

  protected failureBody(status: number) {
    const error = this.failureError(status);
    return { errorCode: error.errorCode, errorSummary: error.errorSummary };
  }

  private failureError(status: number) {
    return status === 429
      ? new FakeOktaHttpError(
          429,
          'E0000047',
          'API call exceeded rate limit due to too many requests.',
        )
      : new FakeOktaHttpError(status, 'E0000009', 'Internal Server Error');
  }

  /**
   * Okta checks credentials per route (SSWS tokens, or OAuth access tokens
   * with the route's scopes), after the rate limit and the route lookup: see
   * `route`.
   */
  protected checkCredentials() {
    return undefined;
  }

  protected route({ req, res, method, raw, call }: FakeVendorRequest) {
    try {
      if (this.overLimit.has(call)) {
        throw new FakeOktaHttpError(
          429,
          'E0000047',
          'API call exceeded rate limit due to too many requests.',
        );
      }
      const { route, params } = this.routeOf(call);
      if (!route) {
        throw new FakeOktaHttpError(
          404,
          'E0000022',
          'The endpoint does not support the provided HTTP method',
        );
      }
      if (route.family !== 'oauth') this.authorize(req, route);
      const url = new URL(call.url, this.baseUrl);
      route.handle({ req, res, url, method, params, body: raw });
    } catch (error) {
      if (error instanceof FakeOktaHttpError) {
        this.error(res, error);
      } else {
        throw error;
      }
    }
  }
}
