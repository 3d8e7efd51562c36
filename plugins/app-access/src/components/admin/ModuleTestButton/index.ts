export { ModuleTestButton } from './ModuleTestButton';
export type { ModuleTestButtonProps } from './ModuleTestButton';
