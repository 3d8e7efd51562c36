export { AdminGate, NotAllowedPanel } from './AdminGate';
export type {
  AdminGateProps,
  AdminPermission,
  NotAllowedPanelProps,
} from './AdminGate';
