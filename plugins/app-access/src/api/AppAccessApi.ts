import { createApiRef } from '@backstage/core-plugin-api';
import {
  AccessRequest,
  ApproverPreview,
  CatalogApp,
  Paginated,
  PendingApproval,
} from '@app-access/plugin-app-access-common';

export type ListAppsQuery = {
  q?: string;
  category?: string;
  limit?: number;
  cursor?: string;
};

export type CreateRequestBody = {
  appId: string;
  tierId: string;
  justification?: string;
  neededBy?: string;
};

export type CreateIntakeBody = {
  name: string;
  url?: string;
  vendor?: string;
  justification: string;
};

export type DecisionBody = {
  decision: 'approve' | 'deny';
  comment?: string;
};

/** The App Access backend as the frontend sees it. */
export interface AppAccessApi {
  listApps(query?: ListAppsQuery): Promise<Paginated<CatalogApp>>;
  getApp(id: string): Promise<CatalogApp>;
  /** Who would decide a request for this tier if the caller submitted it now. */
  getApproverPreview(appId: string, tierId: string): Promise<ApproverPreview>;
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
}

export const appAccessApiRef = createApiRef<AppAccessApi>({
  id: 'plugin.app-access.service',
});
