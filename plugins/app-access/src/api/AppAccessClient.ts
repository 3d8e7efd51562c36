import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AccessRequest,
  ApproverPreview,
  CatalogApp,
  Paginated,
  PendingApproval,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessApi,
  CreateIntakeBody,
  CreateRequestBody,
  DecisionBody,
  ListAppsQuery,
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

  private async call<T>(
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<T> {
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
    return (await res.json()) as T;
  }

  listApps(query?: ListAppsQuery) {
    return this.call<Paginated<CatalogApp>>(`/apps${queryString(query)}`);
  }

  getApp(id: string) {
    return this.call<CatalogApp>(`/apps/${encodeURIComponent(id)}`);
  }

  getApproverPreview(appId: string, tierId: string) {
    return this.call<ApproverPreview>(
      `/apps/${encodeURIComponent(appId)}/tiers/${encodeURIComponent(
        tierId,
      )}/approvers`,
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

  getRequest(id: string) {
    return this.call<AccessRequest>(`/requests/${encodeURIComponent(id)}`);
  }

  cancelRequest(id: string) {
    return this.call<AccessRequest>(
      `/requests/${encodeURIComponent(id)}/cancel`,
      { method: 'POST', body: {} },
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
}
