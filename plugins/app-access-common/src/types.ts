/** Where a request is in its life; see DESIGN.md's lifecycle drawing. */
export type RequestStatus =
  | 'submitted'
  | 'pending_approval'
  | 'approved'
  | 'fulfilling'
  | 'awaiting_it'
  | 'fulfilled'
  | 'denied'
  | 'cancelled'
  | 'failed';

export const REQUEST_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
  'fulfilling',
  'awaiting_it',
  'fulfilled',
  'denied',
  'cancelled',
  'failed',
];

/** Statuses a request can still be cancelled from by its requester. */
export const CANCELLABLE_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
];

/** Statuses in which a request counts as open (blocks a duplicate). */
export const OPEN_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
  'fulfilling',
  'awaiting_it',
];

/** Who decides at one approval level. Any one of them may decide. */
export type ApproverSpec =
  | { type: 'user'; ref: string }
  | { type: 'group'; ref: string }
  | { type: 'manager' }
  | { type: 'owner' };

export type ApprovalRequirement = 'everyone' | 'nobody' | 'except';

/** Who needs approval and who gives it, at most two levels. */
export type ApprovalPolicy = {
  required: ApprovalRequirement;
  /** Group entity refs whose members need no approval (with `except`). */
  exceptGroups?: string[];
  level1?: ApproverSpec[];
  level2?: ApproverSpec[];
};

export type FulfillmentSpec =
  | { type: 'okta-group'; oktaGroupId: string }
  | { type: 'okta-app'; oktaAppId: string }
  | { type: 'ticket' }
  | { type: 'manual' };

export type AppLogo = { initials?: string; color?: string; url?: string };

export type Tier = {
  id: string;
  name: string;
  description?: string;
  /** Tier-level override of the app's approval policy. */
  approval?: ApprovalPolicy;
  fulfillment: FulfillmentSpec;
  /** In employee-facing responses: whether the caller needs approval for it. */
  needsApproval?: boolean;
};

/** Who would decide a request for a tier, as shown before submitting. */
export type ApproverPreview = {
  needsApproval: boolean;
  levels: Array<{
    level: number;
    approvers: Array<{ ref: string; displayName?: string }>;
    /** True when the fallback approver stands in (no approver reachable or only the requester). */
    fallback: boolean;
  }>;
};

export type App = {
  id: string;
  name: string;
  vendor?: string;
  category: string;
  url?: string;
  description?: string;
  logo?: AppLogo;
  /** Entity ref of the owning user or group. */
  owner?: string;
  listed: boolean;
  externalIds: Record<string, string>;
  /** App-level default approval policy. */
  approval?: ApprovalPolicy;
  /** Overrides the settings' approval method for this app's approvers. */
  approvalMethod?: ApprovalMethod;
  tiers: Tier[];
  createdAt?: string;
  updatedAt?: string;
};

/** What the signed-in employee sees of an app in the catalog. */
export type CatalogApp = App & {
  /** The caller's open or fulfilled request for this app, if any. */
  myRequest?: { id: string; tierId?: string; status: RequestStatus };
  /** How many teammates / people in a similar role use it (viewer excluded). */
  peers?: { team: number; role: number };
};

/** GET /apps/:id/peers */
export type AppPeers = {
  appId: string;
  team: {
    count: number;
    size: number;
    groups: string[];
    people?: Array<{ ref: string; displayName?: string }>;
  };
  role: {
    count: number;
    size: number;
    basis: 'title' | 'department';
    value?: string;
    people?: Array<{ ref: string; displayName?: string }>;
  };
  /** True when the privacy setting hides the names of people outside the team. */
  namesHidden: boolean;
};

/** GET /recommendations */
export type Recommendation = {
  appId: string;
  app: CatalogApp;
  team: number;
  teamSize: number;
  role: number;
  roleSize: number;
  /** e.g. "14 of 20 in platform use it" */
  reason: string;
};

export type RequestKind = 'access' | 'intake';

export type IntakeDetails = {
  name: string;
  url?: string;
  vendor?: string;
};

export type AccessRequest = {
  id: string;
  kind: RequestKind;
  appId?: string;
  tierId?: string;
  appName: string;
  tierName?: string;
  /** Entity ref of the person who asked. */
  requester: string;
  status: RequestStatus;
  /** Approval level waiting for a decision (1 or 2); 0 when none. */
  level: number;
  justification?: string;
  neededBy?: string;
  intake?: IntakeDetails;
  /** Ticket key, Okta status or other reference from fulfillment. */
  externalRef?: string;
  /** The fulfiller that handled it (`okta-group`, `jira`, `manual`, ...). */
  fulfilledBy?: string;
  externalUrl?: string;
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  events?: RequestEvent[];
  approvals?: ApprovalTask[];
};

export type RequestEventType =
  | 'submitted'
  | 'status_changed'
  | 'approval_requested'
  | 'approved'
  | 'denied'
  | 'reminder_sent'
  | 'fallback_asked'
  | 'approver_unreachable'
  | 'fulfillment_started'
  | 'fulfillment_progress'
  | 'fulfilled'
  | 'awaiting_it'
  | 'fulfillment_failed'
  | 'retried'
  | 'cancelled'
  | 'marked_fulfilled'
  | 'notified'
  | 'app_changed'
  | 'settings_changed';

/** One line of the audit trail. */
export type RequestEvent = {
  id: string;
  requestId?: string;
  appId?: string;
  at: string;
  actor: string;
  type: RequestEventType;
  fromStatus?: RequestStatus;
  toStatus?: RequestStatus;
  level?: number;
  comment?: string;
  data?: Record<string, unknown>;
};

export type ApprovalTaskStatus = 'open' | 'approved' | 'denied' | 'superseded';

export type ApprovalTask = {
  id: string;
  requestId: string;
  level: number;
  /** Entity refs (users or groups) who may decide this task. */
  approvers: string[];
  status: ApprovalTaskStatus;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
  reminders: number;
  lastRemindedAt?: string;
  /** True when the fallback approver was asked instead of the level's own. */
  fallback: boolean;
  createdAt: string;
};

/** An approval task waiting for the caller, with its request. */
export type PendingApproval = ApprovalTask & { request: AccessRequest };

export type Paginated<T> = { items: T[]; nextCursor?: string };

export type ApprovalMethod = 'slack' | 'email' | 'msteams' | 'portal';
export type TicketingSystem = 'jira' | 'zendesk' | 'email' | 'manual';

/** Settings an admin can change; config values are the defaults. */
export type AppAccessSettings = {
  approvalMethod: ApprovalMethod;
  defaultApprovers: string[];
  fallbackApprover?: string;
  reminders: { intervalHours: number; maxCount: number };
  ticketing: {
    system: TicketingSystem;
    /** Also file a record ticket for requests fulfilled through Okta. */
    auditTickets?: boolean;
    /** Non-secret Jira Service Management settings (credentials stay in app-config). */
    jira?: { serviceDeskId?: string; requestTypeId?: string };
    /** Non-secret Zendesk settings. */
    zendesk?: { groupId?: string; tags?: string[] };
    /** Email-to-ticket: the help desk's intake address. */
    email?: { ticketAddress?: string };
  };
  notifications: {
    emailFromName?: string;
    emailFromAddress?: string;
    /** Slack channel that also receives new requests and decisions. */
    slackChannel?: string;
  };
  peers: {
    /** "Similar role" means the same title, or the same department. */
    roleBasis: 'title' | 'department';
    /** Whose names peer usage may show: nobody, teammates only, or everyone. */
    showNames: 'none' | 'team' | 'all';
  };
  /** Co-branding of the App Access pages and messages. */
  branding: { title?: string; logoUrl?: string; accentColor?: string };
};

/** What the settings page shows about each integration (never secrets). */
export type IntegrationStatus = {
  /** Whether the module found its config (credentials and all). */
  configured: boolean;
  /** Whether its backend module is installed. */
  installed: boolean;
  /** Config keys an installed module still needs, e.g. `appAccess.jira.baseUrl`. */
  missing?: string[];
  /** Non-secret facts, e.g. the Okta org URL or the SMTP host. */
  details?: Record<string, string | boolean>;
};

export type SettingsResponse = {
  values: AppAccessSettings;
  sources: Record<keyof AppAccessSettings, 'default' | 'config' | 'database'>;
  defaults: AppAccessSettings;
  modules: { fulfillers: string[]; notifiers: string[] };
  integrations: Record<'email' | 'slack' | 'msteams' | 'okta' | 'jira' | 'zendesk', IntegrationStatus>;
};

/** What a module's "Send test" found. */
export type ModuleTestResult = {
  ok: boolean;
  /** What was checked, or exactly what is wrong (bad token, unknown id, ...). */
  message: string;
  details?: string[];
};
