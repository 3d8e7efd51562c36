export { AppAccessMyAccessSidebarItem } from './AppAccessMyAccessSidebarItem';
export type { AppAccessMyAccessSidebarItemProps } from './AppAccessMyAccessSidebarItem';
