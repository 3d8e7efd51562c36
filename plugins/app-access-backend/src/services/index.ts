import { AccessService } from './AccessService';
import { AppAdminService } from './AppAdminService';
import { AuditService } from './AuditService';
import { CampaignService } from './CampaignService';
import { ChecklistService } from './ChecklistService';
import { AppCatalogService } from './AppCatalogService';
import { LeaverService } from './LeaverService';
import { OutboxService } from './OutboxService';
import { PersonAccessService } from './PersonAccessService';
import { RequestService } from './RequestService';
import { SettingsService } from './SettingsService';
import { UsageInsightService } from './UsageInsightService';

/** Everything the HTTP API is handed: services, never tables or a database handle. */
export type AppAccessServices = {
  catalog: AppCatalogService;
  requests: RequestService;
  settings: SettingsService;
  apps: AppAdminService;
  outbox: OutboxService;
  audit: AuditService;
  checklist: ChecklistService;
  people: PersonAccessService;
  access: AccessService;
  leavers: LeaverService;
  usage: UsageInsightService;
  campaigns: CampaignService;
};

export {
  AccessService,
  AppAdminService,
  AuditService,
  AppCatalogService,
  CampaignService,
  ChecklistService,
  LeaverService,
  OutboxService,
  PersonAccessService,
  RequestService,
  SettingsService,
  UsageInsightService,
};
