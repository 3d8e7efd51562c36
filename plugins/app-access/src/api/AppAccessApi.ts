import { createApiRef } from '@backstage/core-plugin-api';
import {
  AccessGrant,
  AccessRequest,
  AdminApp,
  App,
  AppPeers,
  CreateRequestBody,
  DecisionBody,
  IntakeBody,
  LeaverList,
  UsageHistory,
  UsageInsight,
  OnBehalfOptions,
  OutboxJob,
  OutboxJobStatus,
  OutboxList,
  SettingsUpdate,
  SyncOverview,
  ApproverPreview,
  CatalogApp,
  Checklist,
  ModuleTestResult,
  Paginated,
  PendingApproval,
  PersonAccess,
  Recommendation,
  RequestEvent,
  ReclaimAnswerBody,
  ReclaimCampaign,
  ReclaimCampaignPage,
  ReclaimPreview,
  ReclaimQuestion,
  ReclaimQuestionPage,
  ReclaimQuestionStatus,
  RequestStatus,
  SettingsResponse,
  StartCampaignBody,
} from '@app-access/plugin-app-access-common';

/** The body of `POST /requests/intake`. */
export type CreateIntakeBody = IntakeBody;

export type {
  AdminApp,
  CreateRequestBody,
  DecisionBody,
  OutboxJob,
  OutboxJobStatus,
  OutboxList,
  SettingsUpdate,
  SyncOverview,
};
export type {
  SyncRun,
  SyncRunStatus,
} from '@app-access/plugin-app-access-common';

/** How the backend orders the catalog: by name, or by use on the caller's team or role. */
export type AppSort = 'name' | 'team' | 'role';

export type ListAppsQuery = {
  q?: string;
  sort?: AppSort;
  category?: string;
  limit?: number;
  cursor?: string;
};

export type ModuleKind = 'fulfiller' | 'notifier';

export type ListAdminAppsQuery = {
  /** Only apps in (true) or not in (false) the catalog; both when undefined. */
  listed?: boolean;
  q?: string;
  limit?: number;
  cursor?: string;
};

/** An app integration in Okta, from the Okta module's picker route. */
export type OktaApp = {
  id: string;
  name: string;
  label: string;
  logoUrl?: string;
  status?: string;
};

/** An Okta group, from the Okta module's picker route. */
export type OktaGroup = {
  id: string;
  name: string;
  description?: string;
};

export type AdminRequestsQuery = {
  status?: RequestStatus[];
  appId?: string;
  requester?: string;
  olderThanDays?: number;
  limit?: number;
  cursor?: string;
};

export type AuditQuery = {
  requestId?: string;
  appId?: string;
  actor?: string;
  type?: string;
  /** ISO date-time. */
  since?: string;
  /** ISO date-time. */
  until?: string;
  limit?: number;
  cursor?: string;
};

export type CampaignPreviewQuery = {
  appId: string;
  tierId?: string;
  inactiveDays: number;
  limit?: number;
};

export type CampaignQuestionsQuery = {
  status?: ReclaimQuestionStatus;
  limit?: number;
  offset?: number;
};

/** The App Access backend as the frontend sees it. */
export interface AppAccessApi {
  listApps(query?: ListAppsQuery): Promise<Paginated<CatalogApp>>;
  getApp(id: string): Promise<CatalogApp>;
  /** Who on the caller's team and in their role uses the app (names as the privacy setting allows). */
  getAppPeers(appId: string): Promise<AppPeers>;
  /** Apps the caller's peers use most that the caller does not have, best first. */
  listRecommendations(query?: {
    limit?: number;
  }): Promise<{ items: Recommendation[] }>;
  /** Who would decide a request for this tier if the caller submitted it now. */
  getApproverPreview(appId: string, tierId: string): Promise<ApproverPreview>;
  /** Who the caller may request access for (the rule and their direct reports). */
  getOnBehalfOptions(): Promise<OnBehalfOptions>;
  createRequest(body: CreateRequestBody): Promise<AccessRequest>;
  createIntake(body: CreateIntakeBody): Promise<AccessRequest>;
  listMyRequests(query?: {
    limit?: number;
    cursor?: string;
  }): Promise<Paginated<AccessRequest>>;
  getRequest(id: string): Promise<AccessRequest>;
  cancelRequest(id: string): Promise<AccessRequest>;
  listApprovals(query?: {
    limit?: number;
    cursor?: string;
  }): Promise<Paginated<PendingApproval>>;
  decide(requestId: string, body: DecisionBody): Promise<AccessRequest>;
  /** A person's access and open requests: the person and their manager only (403 otherwise). */
  getPersonAccess(userRef: string): Promise<PersonAccess>;
  /** What the caller holds through App Access ("My access"). */
  listMyAccess(): Promise<{ items: AccessGrant[] }>;
  /** Gives access back; it is removed through the fulfiller that granted it. */
  removeAccess(grantId: string): Promise<AccessGrant>;
  /** Asks for more time: an extension request through the tier's approval policy. */
  extendAccess(
    grantId: string,
    body: { durationDays: number; justification: string },
  ): Promise<AccessRequest>;
  /** Who holds an app (admins with read.all). */
  listAppGrants(appId: string): Promise<{ items: AccessGrant[] }>;
  /** Removals handed to IT or a removal ticket, and those that gave up (read.all). */
  listRemovals(): Promise<{ items: AccessGrant[] }>;
  /** IT removed the access by hand (request.manage). */
  markGrantRemoved(
    grantId: string,
    body?: { note?: string },
  ): Promise<AccessGrant>;
  /** Revokes one person's access, with a reason they are told (request.manage). */
  revokeGrant(grantId: string, reason: string): Promise<AccessGrant>;
  /** Revokes a tier from every holder (request.manage). */
  revokeTier(
    appId: string,
    tierId: string,
    reason: string,
  ): Promise<{ items: AccessGrant[] }>;

  // --- admin (each call needs an App Access permission; 403 otherwise) ---

  getSettings(): Promise<SettingsResponse>;
  /** People who left the directory and what App Access granted them (read.all). */
  listLeavers(): Promise<LeaverList>;
  /** Usage insight per app and tier, the most money to save first (app.manage). */
  getUsageInsight(): Promise<UsageInsight>;
  /** An app's daily holders and active holders over the last `days` days (app.manage). */
  getUsageHistory(appId: string, days?: number): Promise<UsageHistory>;
  updateSettings(changes: SettingsUpdate): Promise<SettingsResponse>;
  /** "Send test" for an installed module; 404 when it is not installed. */
  testModule(kind: ModuleKind, id: string): Promise<ModuleTestResult>;
  listAdminApps(query?: ListAdminAppsQuery): Promise<Paginated<AdminApp>>;
  getAdminApp(id: string): Promise<AdminApp>;
  /** Creates an app; 409 when the id is taken. */
  createApp(app: App): Promise<AdminApp>;
  /** Replaces an app with its tiers. */
  saveApp(app: App): Promise<AdminApp>;
  /** Okta app integrations; 404 when the Okta module is not installed. */
  listOktaApps(q?: string): Promise<{ items: OktaApp[] }>;
  /** Okta groups; 404 when the Okta module is not installed. */
  listOktaGroups(q?: string): Promise<{ items: OktaGroup[] }>;
  listAdminRequests(
    query?: AdminRequestsQuery,
  ): Promise<Paginated<AccessRequest>>;
  getAdminRequest(id: string): Promise<AccessRequest>;
  retryRequest(id: string): Promise<AccessRequest>;
  /**
   * Names who decides the open level of a request (one that waits for an
   * admin because everyone who could decide it decided an earlier level).
   */
  nameApprover(id: string, approver: string): Promise<AccessRequest>;
  markFulfilled(id: string, body?: { note?: string }): Promise<AccessRequest>;
  /** "Send reminders now": reminds the approvers of a request waiting for approval. */
  remindApprovers(id: string): Promise<AccessRequest>;
  listOutbox(query?: {
    status?: OutboxJobStatus;
    kind?: string;
    limit?: number;
  }): Promise<OutboxList>;
  retryJob(id: string): Promise<OutboxJob>;
  listAudit(query?: AuditQuery): Promise<Paginated<RequestEvent>>;
  /** "Test your configuration": which test-plan steps one request followed all the way. */
  getChecklist(): Promise<Checklist>;
  /** The audit trail as CSV, with the same filters. */
  downloadAuditCsv(query?: AuditQuery): Promise<Blob>;
  /** The directory and usage syncs' last runs (needs the settings permission). */
  getSyncStatus(): Promise<SyncOverview>;

  // --- reclamation campaigns (request.manage), and the holder's answer ---

  /** Exactly who a campaign with this rule would ask now; nobody is asked. */
  previewCampaign(query: CampaignPreviewQuery): Promise<ReclaimPreview>;
  /** Campaigns, running first, then the newest. */
  listCampaigns(): Promise<ReclaimCampaignPage>;
  /** Asks the holders "Keep it or give it back?"; 409 when nobody matches. */
  startCampaign(body: StartCampaignBody): Promise<ReclaimCampaign>;
  getCampaign(id: string): Promise<ReclaimCampaign>;
  listCampaignQuestions(
    id: string,
    query?: CampaignQuestionsQuery,
  ): Promise<ReclaimQuestionPage>;
  /** Brings the deadline forward to now; 409 when it already ended. */
  endCampaign(id: string): Promise<ReclaimCampaign>;
  /** Stops the campaign; no removal starts after it. 409 when it already ended. */
  cancelCampaign(id: string): Promise<ReclaimCampaign>;
  /** The holder keeps the access (with a reason) or gives it back. */
  answerReclaimQuestion(
    questionId: string,
    body: ReclaimAnswerBody,
  ): Promise<ReclaimQuestion>;
}

export const appAccessApiRef = createApiRef<AppAccessApi>({
  id: 'plugin.app-access.service',
});
