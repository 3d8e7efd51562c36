import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AccessGrant,
  AccessRequest,
  App,
  AppPeers,
  ApproverPreview,
  CatalogApp,
  Checklist,
  LeaverList,
  UsageHistory,
  UsageInsight,
  ModuleTestResult,
  OnBehalfOptions,
  Paginated,
  PendingApproval,
  PersonAccess,
  Recommendation,
  ReclaimAnswerBody,
  ReclaimCampaign,
  ReclaimCampaignPage,
  ReclaimPreview,
  ReclaimQuestion,
  ReclaimQuestionPage,
  RequestEvent,
  SettingsResponse,
  StartCampaignBody,
} from '@app-access/plugin-app-access-common';
import {
  AdminApp,
  CampaignPreviewQuery,
  CampaignQuestionsQuery,
  AdminRequestsQuery,
  AppAccessApi,
  AuditQuery,
  CreateIntakeBody,
  CreateRequestBody,
  DecisionBody,
  ListAdminAppsQuery,
  ListAppsQuery,
  ModuleKind,
  OktaApp,
  OktaGroup,
  OutboxJob,
  OutboxJobStatus,
  OutboxList,
  SettingsUpdate,
  SyncOverview,
} from './AppAccessApi';

function queryString(query: Record<string, unknown> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** AppAccessApi over HTTP, through Backstage's discovery and fetch APIs. */
export class AppAccessClient implements AppAccessApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  private async fetch(
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('app-access');
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: init?.method ?? 'GET',
      headers:
        init?.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : undefined,
      body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }

  private async call<T>(
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<T> {
    const res = await this.fetch(path, init);
    return (await res.json()) as T;
  }

  listApps(query?: ListAppsQuery) {
    return this.call<Paginated<CatalogApp>>(`/apps${queryString(query)}`);
  }

  getApp(id: string) {
    return this.call<CatalogApp>(`/apps/${encodeURIComponent(id)}`);
  }

  getAppPeers(appId: string) {
    return this.call<AppPeers>(`/apps/${encodeURIComponent(appId)}/peers`);
  }

  listRecommendations(query?: { limit?: number }) {
    return this.call<{ items: Recommendation[] }>(
      `/recommendations${queryString(query)}`,
    );
  }

  getApproverPreview(appId: string, tierId: string) {
    return this.call<ApproverPreview>(
      `/apps/${encodeURIComponent(appId)}/tiers/${encodeURIComponent(
        tierId,
      )}/approvers`,
    );
  }

  getOnBehalfOptions() {
    return this.call<OnBehalfOptions>('/on-behalf');
  }

  listLeavers() {
    return this.call<LeaverList>('/admin/leavers');
  }

  getUsageInsight() {
    return this.call<UsageInsight>('/admin/usage');
  }

  getUsageHistory(appId: string, days?: number) {
    return this.call<UsageHistory>(
      `/admin/usage/apps/${encodeURIComponent(appId)}/history${queryString({
        days,
      })}`,
    );
  }

  createRequest(body: CreateRequestBody) {
    return this.call<AccessRequest>('/requests', { method: 'POST', body });
  }

  createIntake(body: CreateIntakeBody) {
    return this.call<AccessRequest>('/requests/intake', {
      method: 'POST',
      body,
    });
  }

  listMyRequests(query?: { limit?: number; cursor?: string }) {
    return this.call<Paginated<AccessRequest>>(
      `/requests${queryString({ mine: true, ...query })}`,
    );
  }

  getPersonAccess(userRef: string) {
    return this.call<PersonAccess>(
      `/person-access${queryString({ user: userRef })}`,
    );
  }

  getRequest(id: string) {
    return this.call<AccessRequest>(`/requests/${encodeURIComponent(id)}`);
  }

  cancelRequest(id: string) {
    return this.call<AccessRequest>(
      `/requests/${encodeURIComponent(id)}/cancel`,
      { method: 'POST', body: {} },
    );
  }

  listMyAccess() {
    return this.call<{ items: AccessGrant[] }>('/me/access');
  }

  removeAccess(grantId: string) {
    return this.call<AccessGrant>(
      `/grants/${encodeURIComponent(grantId)}/remove`,
      { method: 'POST', body: {} },
    );
  }

  extendAccess(
    grantId: string,
    body: { durationDays: number; justification: string },
  ) {
    return this.call<AccessRequest>(
      `/grants/${encodeURIComponent(grantId)}/extend`,
      { method: 'POST', body },
    );
  }

  listAppGrants(appId: string) {
    return this.call<{ items: AccessGrant[] }>(
      `/admin/apps/${encodeURIComponent(appId)}/grants`,
    );
  }

  listRemovals() {
    return this.call<{ items: AccessGrant[] }>('/admin/removals');
  }

  markGrantRemoved(grantId: string, body: { note?: string } = {}) {
    return this.call<AccessGrant>(
      `/admin/grants/${encodeURIComponent(grantId)}/mark-removed`,
      { method: 'POST', body },
    );
  }

  revokeGrant(grantId: string, reason: string) {
    return this.call<AccessGrant>(
      `/admin/grants/${encodeURIComponent(grantId)}/revoke`,
      { method: 'POST', body: { reason } },
    );
  }

  revokeTier(appId: string, tierId: string, reason: string) {
    return this.call<{ items: AccessGrant[] }>(
      `/admin/apps/${encodeURIComponent(appId)}/tiers/${encodeURIComponent(
        tierId,
      )}/revoke`,
      { method: 'POST', body: { reason } },
    );
  }

  listApprovals(query?: { limit?: number; cursor?: string }) {
    return this.call<Paginated<PendingApproval>>(
      `/approvals${queryString(query)}`,
    );
  }

  decide(requestId: string, body: DecisionBody) {
    return this.call<AccessRequest>(
      `/requests/${encodeURIComponent(requestId)}/decisions`,
      { method: 'POST', body },
    );
  }

  // --- admin ---

  getSettings() {
    return this.call<SettingsResponse>('/settings');
  }

  updateSettings(changes: SettingsUpdate) {
    return this.call<SettingsResponse>('/settings', {
      method: 'PUT',
      body: changes,
    });
  }

  testModule(kind: ModuleKind, id: string) {
    return this.call<ModuleTestResult>(
      `/admin/modules/${encodeURIComponent(kind)}/${encodeURIComponent(
        id,
      )}/test`,
      { method: 'POST', body: {} },
    );
  }

  listAdminApps(query: ListAdminAppsQuery = {}) {
    return this.call<Paginated<AdminApp>>(
      `/admin/apps${queryString({
        ...query,
        listed: query.listed === undefined ? undefined : String(query.listed),
      })}`,
    );
  }

  getAdminApp(id: string) {
    return this.call<AdminApp>(`/admin/apps/${encodeURIComponent(id)}`);
  }

  createApp(app: App) {
    return this.call<AdminApp>('/admin/apps', { method: 'POST', body: app });
  }

  saveApp(app: App) {
    return this.call<AdminApp>(`/admin/apps/${encodeURIComponent(app.id)}`, {
      method: 'PUT',
      body: app,
    });
  }

  listOktaApps(q?: string) {
    return this.call<{ items: OktaApp[] }>(`/okta/apps${queryString({ q })}`);
  }

  listOktaGroups(q?: string) {
    return this.call<{ items: OktaGroup[] }>(
      `/okta/groups${queryString({ q })}`,
    );
  }

  listAdminRequests(query: AdminRequestsQuery = {}) {
    return this.call<Paginated<AccessRequest>>(
      `/admin/requests${queryString({
        ...query,
        status: query.status?.length ? query.status.join(',') : undefined,
      })}`,
    );
  }

  getAdminRequest(id: string) {
    return this.call<AccessRequest>(
      `/admin/requests/${encodeURIComponent(id)}`,
    );
  }

  retryRequest(id: string) {
    return this.call<AccessRequest>(
      `/admin/requests/${encodeURIComponent(id)}/retry`,
      { method: 'POST', body: {} },
    );
  }

  nameApprover(id: string, approver: string) {
    return this.call<AccessRequest>(
      `/admin/requests/${encodeURIComponent(id)}/approvers`,
      { method: 'POST', body: { approver } },
    );
  }

  markFulfilled(id: string, body: { note?: string } = {}) {
    return this.call<AccessRequest>(
      `/admin/requests/${encodeURIComponent(id)}/mark-fulfilled`,
      { method: 'POST', body },
    );
  }

  remindApprovers(id: string) {
    return this.call<AccessRequest>(
      `/admin/requests/${encodeURIComponent(id)}/remind`,
      { method: 'POST', body: {} },
    );
  }

  listOutbox(
    query: { status?: OutboxJobStatus; kind?: string; limit?: number } = {},
  ) {
    return this.call<OutboxList>(`/admin/outbox${queryString(query)}`);
  }

  retryJob(id: string) {
    return this.call<OutboxJob>(
      `/admin/outbox/${encodeURIComponent(id)}/retry`,
      { method: 'POST', body: {} },
    );
  }

  listAudit(query: AuditQuery = {}) {
    return this.call<Paginated<RequestEvent>>(
      `/admin/audit${queryString(query)}`,
    );
  }

  getChecklist() {
    return this.call<Checklist>('/admin/checklist');
  }

  async downloadAuditCsv(query: AuditQuery = {}) {
    const res = await this.fetch(
      `/admin/audit${queryString({ ...query, format: 'csv' })}`,
    );
    return res.blob();
  }

  getSyncStatus() {
    return this.call<SyncOverview>('/admin/sync');
  }

  // --- reclamation campaigns ---

  previewCampaign(query: CampaignPreviewQuery) {
    return this.call<ReclaimPreview>(
      `/admin/campaigns/preview${queryString(query)}`,
    );
  }

  listCampaigns() {
    return this.call<ReclaimCampaignPage>('/admin/campaigns');
  }

  startCampaign(body: StartCampaignBody) {
    return this.call<ReclaimCampaign>('/admin/campaigns', {
      method: 'POST',
      body,
    });
  }

  getCampaign(id: string) {
    return this.call<ReclaimCampaign>(
      `/admin/campaigns/${encodeURIComponent(id)}`,
    );
  }

  listCampaignQuestions(id: string, query: CampaignQuestionsQuery = {}) {
    return this.call<ReclaimQuestionPage>(
      `/admin/campaigns/${encodeURIComponent(id)}/questions${queryString(
        query,
      )}`,
    );
  }

  endCampaign(id: string) {
    return this.call<ReclaimCampaign>(
      `/admin/campaigns/${encodeURIComponent(id)}/end`,
      { method: 'POST', body: {} },
    );
  }

  cancelCampaign(id: string) {
    return this.call<ReclaimCampaign>(
      `/admin/campaigns/${encodeURIComponent(id)}/cancel`,
      { method: 'POST', body: {} },
    );
  }

  answerReclaimQuestion(questionId: string, body: ReclaimAnswerBody) {
    return this.call<ReclaimQuestion>(
      `/reclaim-questions/${encodeURIComponent(questionId)}/answer`,
      { method: 'POST', body },
    );
  }
}
