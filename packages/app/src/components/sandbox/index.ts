export { SandboxPage } from './SandboxPage';
export { SandboxSidebarItem } from './SandboxSidebarItem';
