export { AppAccessApprovalsSidebarItem } from './AppAccessApprovalsSidebarItem';
export type { AppAccessApprovalsSidebarItemProps } from './AppAccessApprovalsSidebarItem';
