/**
 * App Access: the company's app store inside Backstage. What a portal on the
 * legacy frontend system mounts: the plugin, its page, the standalone admin
 * page, the entity card and the approvals and My access sidebar items. The new frontend
 * system uses the `/alpha` export instead.
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
export { AppAccessMyAccessSidebarItem } from './components/AppAccessMyAccessSidebarItem';
export type { AppAccessMyAccessSidebarItemProps } from './components/AppAccessMyAccessSidebarItem';
export type { EntityAppAccessCardProps } from './components/EntityAppAccessCard';
