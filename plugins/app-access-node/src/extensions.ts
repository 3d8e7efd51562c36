import { createExtensionPoint } from '@backstage/backend-plugin-api';
import {
  AccessGrant,
  AccessRequest,
  AppAccessSettings,
  ApprovalTask,
  App,
  FulfillmentSpec,
  ModuleTestResult,
  ReclaimQuestion,
  Tier,
} from '@app-access/plugin-app-access-common';

/** A person as App Access needs to know them. */
export type DirectoryPerson = {
  /** User entity ref, e.g. user:default/jane.doe */
  ref: string;
  displayName?: string;
  email?: string;
  /** User entity ref of the person's manager, when known. */
  manager?: string;
  /** Group entity refs the person is a direct member of. */
  groups: string[];
  title?: string;
  department?: string;
};

/**
 * Resolves people and group members. The core ships one over the Backstage
 * catalog; modules (e.g. Okta) may add more, consulted in order of
 * registration after the catalog.
 */
export interface AppAccessDirectory {
  getPerson(userRef: string): Promise<DirectoryPerson | undefined>;
  /** User entity refs of a group's direct members. */
  getGroupMembers(groupRef: string): Promise<string[]>;
  /** The person with this email address (case-insensitive), if known. */
  findPersonByEmail?(email: string): Promise<DirectoryPerson | undefined>;
  /**
   * Every person with this email address (case-insensitive): more than one
   * means the address is shared (an admin alias), and it identifies nobody.
   */
  findPeopleByEmail?(email: string): Promise<DirectoryPerson[]>;
  /**
   * Every person whose entity carries `value` (case-insensitive) in one of
   * these annotations, e.g. the Entra ID object id a channel reports in
   * `graph.microsoft.com/user-id`. More than one identifies nobody.
   */
  findPeopleByAnnotation?(
    annotations: string[],
    value: string,
  ): Promise<DirectoryPerson[]>;
}

/** Everything a fulfiller needs to know about an approved request. */
export type FulfillmentContext = {
  request: AccessRequest;
  app: App;
  tier: Tier;
  spec: FulfillmentSpec;
  requester: DirectoryPerson | undefined;
  /**
   * The person who filed the request, when they filed it on someone else's
   * behalf (`requester` above is then the grantee); unset otherwise.
   */
  filer?: DirectoryPerson;
  /**
   * Stable key for this fulfillment: the same on every retry of the same
   * request, so vendors can deduplicate (ticket external id, label, ...).
   */
  idempotencyKey: string;
  /** Link back to the request in the portal. */
  requestUrl: string;
  /** Reference recorded by an earlier attempt (e.g. a ticket key), if any. */
  previousExternalRef?: string;
  /**
   * Record an intent or an external id before the call returns, so a crash
   * between the vendor call and the result is recoverable without a duplicate.
   */
  checkpoint(data: { externalRef?: string; note?: string }): Promise<void>;
};

export type FulfillmentResult =
  | {
      status: 'fulfilled';
      externalRef?: string;
      externalUrl?: string;
      message?: string;
    }
  | {
      status: 'awaiting_it';
      externalRef?: string;
      externalUrl?: string;
      message?: string;
    }
  /** Try again later (vendor down, 429, 5xx); `retryAfterMs` when the vendor said. */
  | { status: 'retry'; error: string; retryAfterMs?: number }
  /** Will not work without someone changing something (user not in Okta, ...). */
  | { status: 'failed'; error: string };

/**
 * Everything a fulfiller needs to remove access it (or another fulfiller of
 * the same type) granted: when the grant ended, its holder gave it back or
 * an admin revoked it.
 */
export type RevocationContext = {
  grant: AccessGrant;
  /** The request that granted the access. */
  request: AccessRequest;
  app: App;
  tier: Tier;
  spec: FulfillmentSpec;
  /** The person who holds the access. */
  grantee: DirectoryPerson | undefined;
  /** Why it is removed, in words (end date reached, the holder, an admin's reason). */
  reason: string;
  /**
   * Stable key for this removal: the same on every retry, different from
   * the granting request's, so a ticket system files one removal ticket.
   */
  idempotencyKey: string;
  /** Link back to the request that granted it. */
  requestUrl: string;
  /** Reference recorded by an earlier attempt of this removal (a ticket key), if any. */
  previousExternalRef?: string;
  /** As in fulfilment: record an intent or an external id before returning. */
  checkpoint(data: { externalRef?: string; note?: string }): Promise<void>;
};

export type RevocationResult =
  | {
      status: 'removed';
      externalRef?: string;
      message?: string;
    }
  /** Someone else removes it (a removal ticket); a follower reports when it is done. */
  | {
      status: 'awaiting_it';
      externalRef?: string;
      externalUrl?: string;
      message?: string;
    }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'failed'; error: string };

/** Why a tier's fulfilment cannot be saved: the spec's field and the reason. */
export type FulfillmentSpecProblem = {
  /** The field of the fulfilment spec at fault, e.g. `oktaGroupId`. */
  field: string;
  /** What is wrong, naming the value, e.g. the Okta group. */
  message: string;
};

/**
 * Performs an approved request. `fulfill` must be idempotent: it may be
 * called again for the same request after a crash or a timeout.
 */
export interface AppAccessFulfiller {
  /**
   * Fulfillment types this fulfiller handles: `okta-group`, `okta-app`,
   * `manual`, or for tickets the ticketing system id (`jira`, `zendesk`,
   * `email`).
   */
  readonly handles: string[];
  fulfill(context: FulfillmentContext): Promise<FulfillmentResult>;
  /**
   * Removes access this fulfiller's type granted. Like `fulfill` it runs
   * under a fenced outbox claim and may run again after a crash: removing
   * what is already gone must succeed (a 404 on delete means done). A
   * fulfiller without it hands removals to IT by hand.
   */
  revoke?(context: RevocationContext): Promise<RevocationResult>;
  /**
   * Checks a tier's fulfilment spec when an admin saves it (the core answers
   * 400 naming the tier's field), e.g. the Okta groups App Access may grant.
   * Whoever may manage apps may not thereby grant anything they like: a
   * fulfiller that limits what it grants says so here, and refuses in
   * `fulfill` too, for tiers saved before the limit existed.
   */
  validateSpec?(spec: FulfillmentSpec): FulfillmentSpecProblem | undefined;
  /**
   * Ticketing fulfillers: file a record ticket for a request fulfilled by
   * another fulfiller (the "audit-trail tickets" setting). Idempotent on
   * `context.idempotencyKey`.
   */
  recordAudit?(
    context: FulfillmentContext,
  ): Promise<{ externalRef: string; externalUrl?: string }>;
  /** "Send test" on the settings page: check credentials and ids. */
  selfTest?(): Promise<ModuleTestResult>;
  /**
   * Called once by the plugin after the core is built and before anything
   * is fulfilled, with what the fulfiller may read from the core.
   */
  connect?(connection: AppAccessFulfillerConnection): void | Promise<void>;
}

/** What a fulfiller may read from the core while it files a ticket. */
export interface AppAccessFulfillerConnection {
  /** A request with its events and approval tasks. */
  getRequest(requestId: string): Promise<AccessRequest>;
  getPerson(userRef: string): Promise<DirectoryPerson | undefined>;
  /** Settings in effect now (admin page over app-config). */
  getSettings(): Promise<AppAccessSettings>;
}

/**
 * Follows up on requests a fulfiller handed to someone else (a ticket, Okta
 * provisioning). It schedules its own work inside `connect`, so nothing runs
 * before it holds its connection.
 */
export interface AppAccessFollower {
  /** For logs and errors, e.g. `jira`. */
  readonly id: string;
  /** Called once by the plugin after the core is built. */
  connect(connection: AppAccessFulfillmentApi): Promise<void>;
}

export type AppAccessMessageKind =
  | 'approval_needed'
  | 'reminder'
  | 'decision_recorded'
  | 'status_changed'
  /** Granted access ends soon, was extended, is being removed, or is gone (see `access`). */
  | 'access_changed'
  /** "Keep it or give it back?" to a holder, from a reclamation campaign (see `reclaim`). */
  | 'reclaim_question'
  /** The same question again before its deadline (`reminderNumber`, `reclaim`). */
  | 'reclaim_reminder';

/** A reclamation campaign's question to one holder, for `reclaim_*` messages. */
export type AppAccessReclaimAsk = {
  questionId: string;
  campaignId: string;
  grantId: string;
  /** After this, no answer means the access is removed. */
  deadlineAt: string;
  /** The rule: no sign-in for this many days. */
  inactiveDays: number;
  /** The holder's last sign-in to the app, when known. */
  lastSignInAt?: string;
  /** The admin's words to holders, if any. */
  message?: string;
};

/** What happened to granted access, for `access_changed` messages. */
export type AppAccessChange = {
  grantId: string;
  change:
    | 'ending_soon'
    | 'extended'
    | 'removal_started'
    | 'revoked'
    | 'removed'
    /** A reclamation question is withdrawn (its campaign was cancelled): the holder keeps it. */
    | 'kept';
  /** The (new) end, for `ending_soon` and `extended`. */
  endsAt?: string;
  /** Why it is removed (an admin's reason). */
  reason?: string;
  /** Who removed it (entity ref), or the system. */
  by?: string;
};

/** One line saying what happened to access, for every channel. */
export function describeAccessChange(
  what: string,
  access: AppAccessChange,
): string {
  const day = (iso?: string) => (iso ? iso.slice(0, 10) : '');
  switch (access.change) {
    case 'ending_soon':
      return `Your access to ${what} ends on ${day(
        access.endsAt,
      )}: extend it in the portal if you still need it`;
    case 'extended':
      return `Your access to ${what} was extended until ${day(access.endsAt)}`;
    case 'revoked':
      return `Your access to ${what} was revoked${
        access.reason ? `: ${access.reason}` : ''
      }`;
    case 'removal_started':
      return `Your access to ${what} is being removed${
        access.reason ? `: ${access.reason}` : ''
      }`;
    case 'kept':
      return `You keep your access to ${what}${
        access.reason ? `: ${access.reason}` : ''
      }; nothing to answer`;
    default:
      return `Your access to ${what} was removed`;
  }
}

/** "until 2026-12-31" or "until removed", for approval messages. */
export function describeDuration(request: {
  durationDays?: number;
  extendsGrantId?: string;
}): string {
  if (!request.durationDays) return 'Until removed';
  const days = `${request.durationDays} day${
    request.durationDays === 1 ? '' : 's'
  }`;
  return request.extendsGrantId
    ? `Extension by ${days}`
    : `${days} from when it is granted`;
}

/** Who asked for a "Send test" on the settings page. */
export type ModuleTestContext = {
  /** User entity ref of the admin who clicked it. */
  userRef: string;
};

/** One message to deliver to people about a request. */
export type AppAccessMessage = {
  kind: AppAccessMessageKind;
  /**
   * Who the message is for: the task's approvers, the requester, or the
   * holder of granted access (`reclaim_*`; the person the request was for).
   */
  audience: 'approvers' | 'requester' | 'holder';
  /** User entity refs of the recipients (groups already expanded). */
  recipients: string[];
  request: AccessRequest;
  /** The approval task concerned (approval_needed, reminder, decision_recorded). */
  task?: ApprovalTask;
  /** Link to the request (or, for approvers, to the approvals inbox). */
  url: string;
  /** Stable key for this message; a retry of the same delivery carries the same key. */
  idempotencyKey: string;
  /** Reminder number (1-based) for reminders. */
  reminderNumber?: number;
  /** For `access_changed`: what happened to the access. */
  access?: AppAccessChange;
  /** For `reclaim_question` and `reclaim_reminder`: what is asked, by when. */
  reclaim?: AppAccessReclaimAsk;
  /**
   * For approvers (`approval_needed`, `reminder`): no seat of the tier is
   * free, e.g. "All 50 seats are in use; approving buys one more."
   */
  seatWarning?: string;
};

export type NotifyResult = {
  /** Recipients the channel could not reach at all (unknown address, no account). */
  unreachable: string[];
};

/**
 * Delivers messages through one channel. Throwing means "try again later";
 * recipients the channel can never reach are reported in `unreachable`.
 */
export interface AppAccessNotifier {
  /** Channel id: `backstage`, `email`, `slack`, `msteams`, ... */
  readonly id: string;
  notify(message: AppAccessMessage): Promise<NotifyResult>;
  /**
   * "Send test" on the settings page: check credentials and settings. A
   * channel that can message people may send the admin who clicked
   * (`context.userRef`) a real test message.
   */
  selfTest?(context?: ModuleTestContext): Promise<ModuleTestResult>;
  /**
   * Called once by the plugin after the core is built and before the
   * backend serves: the place to create whatever takes decisions (routes,
   * a socket) and to mount its routes.
   */
  connect?(connection: AppAccessDecisionApi): void | Promise<void>;
}

/**
 * What approval channels (Slack buttons, email links, ...) may do on behalf
 * of an approver. Decisions follow exactly the portal's rules: only someone
 * who holds the task decides, never the requester, first decision wins
 * (others get a ConflictError), deny needs a comment.
 */
export interface AppAccessDecisionApi {
  decide(input: {
    requestId: string;
    /** The task the message was about; a decision on another level is refused. */
    taskId?: string;
    /** User entity ref of the person deciding. */
    approverRef: string;
    decision: 'approve' | 'deny';
    comment?: string;
    /** Channel the decision came through, for the audit trail. */
    channel: string;
  }): Promise<AccessRequest>;
  /**
   * The holder answers a reclamation question ("Keep it or give it back?")
   * from a channel, under exactly the portal's rules: only the holder
   * answers (anyone else gets a NotAllowedError), `keep` needs a non-blank
   * reason (InputError), after the deadline or a cancel and against a
   * different earlier answer it is a ConflictError; the same answer again
   * returns the question unchanged.
   */
  answerReclaim(input: {
    questionId: string;
    /** User entity ref of the person answering. */
    personRef: string;
    answer: 'keep' | 'release';
    reason?: string;
    /** Channel the answer came through, for the audit trail. */
    channel: string;
  }): Promise<ReclaimQuestion>;
  /** A request with its events and approval tasks. */
  getRequest(requestId: string): Promise<AccessRequest>;
  getTask(taskId: string): Promise<ApprovalTask | undefined>;
  getPerson(userRef: string): Promise<DirectoryPerson | undefined>;
  findPersonByEmail(email: string): Promise<DirectoryPerson | undefined>;
  /**
   * The one person a channel identity (e.g. the email of a Slack account)
   * stands for. An email that no person has, or that several people share
   * (an admin alias next to the person's own user), identifies nobody: the
   * answer says why in words for the clicker, and an ambiguous match is
   * recorded in the audit trail. Decide only as `person`.
   */
  identify(input: {
    /** The email (or UPN) of the channel account. */
    email?: string;
    /**
     * An account id the directory may carry as an annotation (e.g. the
     * Entra ID object id in `graph.microsoft.com/user-id`). Looked up first:
     * one person with it is the answer, several identify nobody, none falls
     * back to the email.
     */
    externalId?: IdentityExternalId;
    /** Channel asking, for the audit trail (`slack`, `msteams`, ...). */
    channel: string;
  }): Promise<{ person: DirectoryPerson } | { refused: string }>;
  getSettings(): Promise<AppAccessSettings>;
  /** Absolute URL of a portal path, e.g. portalUrl('/apps/approvals'). */
  portalUrl(path: string): string;
}

/** An account id a channel knows a person by, and where the catalog keeps it. */
export type IdentityExternalId = {
  /** The id, e.g. an Entra ID object id. */
  value: string;
  /** Annotations of User entities that may carry it, in no particular order. */
  annotations: string[];
  /** How to name it to the person, e.g. `Entra ID object id`. */
  label: string;
};

/** What fulfillers may do later, e.g. when following a ticket. */
export interface AppAccessFulfillmentApi {
  /** Requests waiting for IT that this fulfiller handled. */
  listAwaiting(fulfilledBy: string, limit?: number): Promise<AccessRequest[]>;
  /** The ticket was done (fulfilled) or closed as won't-do (failed). */
  complete(
    requestId: string,
    result: { status: 'fulfilled' | 'failed'; message?: string },
  ): Promise<void>;
  /**
   * Adds a note to the timeline of a request waiting for IT, e.g. that the
   * requester closed the ticket themselves. The core records each text once
   * per request, so a follower may say the same thing on every run.
   */
  note(requestId: string, text: string): Promise<void>;
  getSettings(): Promise<AppAccessSettings>;
  /**
   * Removals waiting for IT that this fulfiller handed over (a removal
   * ticket): the grant and the ticket reference its `revoke` returned.
   */
  listRemovalsAwaiting?(
    removedBy: string,
    limit?: number,
  ): Promise<Array<{ grant: AccessGrant; externalRef?: string }>>;
  /** The removal ticket was done (removed) or closed without removing (failed). */
  completeRemoval?(
    grantId: string,
    result: { status: 'removed' | 'failed'; message?: string },
  ): Promise<void>;
}

/** @public */
export interface AppAccessFulfillersExtensionPoint {
  addFulfiller(...fulfillers: AppAccessFulfiller[]): void;
  addFollower(...followers: AppAccessFollower[]): void;
}

/** @public */
export const appAccessFulfillersExtensionPoint =
  createExtensionPoint<AppAccessFulfillersExtensionPoint>({
    id: 'app-access.fulfillers',
  });

/** @public */
export interface AppAccessNotifiersExtensionPoint {
  addNotifier(...notifiers: AppAccessNotifier[]): void;
}

/** @public */
export const appAccessNotifiersExtensionPoint =
  createExtensionPoint<AppAccessNotifiersExtensionPoint>({
    id: 'app-access.notifiers',
  });

/** @public */
export interface AppAccessDirectoryExtensionPoint {
  addDirectory(directory: AppAccessDirectory): void;
}

/** @public */
export const appAccessDirectoryExtensionPoint =
  createExtensionPoint<AppAccessDirectoryExtensionPoint>({
    id: 'app-access.directory',
  });

/** A person as a directory source (e.g. Okta) knows them. */
export type UsagePerson = {
  /** User entity ref the person maps to (e.g. from their email). */
  ref: string;
  email?: string;
  displayName?: string;
  department?: string;
  title?: string;
  manager?: string;
  groups: string[];
  /** false removes the person's assignments (deactivated in the source). */
  active?: boolean;
};

export type UsageSyncState = {
  status: 'idle' | 'running' | 'failed';
  checkpoint?: Record<string, unknown>;
  lastStartedAt?: string;
  lastFinishedAt?: string;
  lastDurationMs?: number;
  lastCounts?: Record<string, number>;
  lastError?: string;
};

/** @public */
export type UsageWriteOptions = {
  /**
   * `now` (default): the write moves the peer counts it changes, in its own
   * transaction. `later`: it does not; the caller rewrites most of the
   * directory and calls `recomputeRollups()` when done (cheaper for a full
   * sync; counts lag until then).
   */
  rollups?: 'now' | 'later';
};

/**
 * What directory and usage sources (e.g. the Okta sync) write: people, who
 * has which app, apps discovered outside the catalog, and their own progress.
 */
export interface AppAccessUsageApi {
  upsertPeople(
    people: UsagePerson[],
    source: string,
    options?: UsageWriteOptions,
  ): Promise<void>;
  /** Replaces this source's assignments of the given people. */
  setAssignments(
    source: 'okta-direct' | 'okta-group',
    assignments: Array<{ personRef: string; appIds: string[] }>,
    options?: UsageWriteOptions,
  ): Promise<void>;
  removeAssignments(
    source: 'okta-direct' | 'okta-group',
    pairs: Array<{ personRef: string; appId: string }>,
    options?: UsageWriteOptions,
  ): Promise<void>;
  markLastUsed(
    pairs: Array<{ personRef: string; appId: string; at: string }>,
  ): Promise<void>;
  /**
   * Apps known to the source; ones not in the catalog yet are added as "not
   * in catalog" for admins. Returns the catalog app id per external id.
   */
  upsertDiscoveredApps(
    apps: Array<{
      externalKey: string;
      externalId: string;
      name: string;
      logoUrl?: string;
      url?: string;
    }>,
  ): Promise<Map<string, string>>;
  /**
   * User entity refs of known people (catalog or earlier syncs) by email,
   * lower-cased; emails nobody has are missing from the map.
   */
  refsByEmail(emails: string[]): Promise<Map<string, string>>;
  /**
   * Where App Access has each of these people from (`catalog`, `okta`, ...);
   * refs nobody has are missing. A source never takes over a ref another
   * source holds: a person only Okta knows must not become a catalog user.
   */
  sourcesOf(refs: string[]): Promise<Map<string, string>>;
  /**
   * Recomputes the per-title/department counts from scratch. The writes above
   * keep them up to date as they go; this is a repair, worth calling after a
   * full sync only (it reads every assignment).
   */
  recomputeRollups(): Promise<void>;
  getSyncState(id: string): Promise<UsageSyncState | undefined>;
  saveSyncState(id: string, changes: Partial<UsageSyncState>): Promise<void>;
}

/**
 * Writes people and app usage from a directory (the Okta sync). It schedules
 * its own work inside `connect`, so nothing runs before it holds its
 * connection.
 */
export interface AppAccessUsageSource {
  /** For logs and errors, e.g. `okta`. */
  readonly id: string;
  /** Called once by the plugin after the core is built. */
  connect(usage: AppAccessUsageApi): Promise<void>;
}

/** @public */
export interface AppAccessUsageExtensionPoint {
  addUsageSource(...sources: AppAccessUsageSource[]): void;
}

/** @public */
export const appAccessUsageExtensionPoint =
  createExtensionPoint<AppAccessUsageExtensionPoint>({
    id: 'app-access.usage',
  });

/**
 * What a vendor module reports about itself for the settings page. Every
 * installed module registers one, configured or not.
 */
export type AppAccessModuleInfo = {
  /** `email`, `slack`, `msteams`, `okta`, `jira`, `zendesk`, or another module's id. */
  id: string;
  /** Human name, e.g. `Jira Service Management`. */
  title: string;
  configured: boolean;
  /** Config keys that are missing, e.g. `appAccess.jira.baseUrl`. */
  missing: string[];
  /** Non-secret facts: the Okta org URL, the SMTP host, `dkim: true`. */
  details?: Record<string, string | boolean>;
};

/** @public */
export interface AppAccessModulesExtensionPoint {
  addModule(info: AppAccessModuleInfo): void;
}

/** @public */
export const appAccessModulesExtensionPoint =
  createExtensionPoint<AppAccessModulesExtensionPoint>({
    id: 'app-access.modules',
  });
