/**
 * App Access: the company's app store inside Backstage.
 *
 * @packageDocumentation
 */
export {
  appAccessPlugin,
  AppAccessPage,
  AppAccessAdminPage,
  EntityAppAccessCard,
  AppAccessSearchResultListItem,
  EntityPersonAccessCard,
} from './plugin';
export type { EntityPersonAccessCardProps } from './components/EntityPersonAccessCard';
export type { AppAccessSearchResultListItemProps } from './components/AppAccessSearchResultListItem';
export { AppAccessApprovalsSidebarItem } from './components/AppAccessApprovalsSidebarItem';
export type { AppAccessApprovalsSidebarItemProps } from './components/AppAccessApprovalsSidebarItem';
export type { EntityAppAccessCardProps } from './components/EntityAppAccessCard';
export { appAccessApiRef, AppAccessClient } from './api';
export type {
  AppAccessApi,
  AppSort,
  CreateIntakeBody,
  CreateRequestBody,
  DecisionBody,
  ListAppsQuery,
} from './api';
export type {
  AdminApp,
  AdminRequestsQuery,
  AuditQuery,
  ListAdminAppsQuery,
  ModuleKind,
  OktaApp,
  OktaGroup,
  OutboxJob,
  OutboxJobStatus,
  OutboxList,
  SettingsUpdate,
} from './api/AppAccessApi';
export * from './components/admin';
export {
  rootRouteRef as appAccessRootRouteRef,
  appRouteRef as appAccessAppRouteRef,
  requestRouteRef as appAccessRequestRouteRef,
  approvalsRouteRef as appAccessApprovalsRouteRef,
  adminRouteRef as appAccessAdminRouteRef,
  adminRootRouteRef as appAccessAdminRootRouteRef,
} from './routes';
