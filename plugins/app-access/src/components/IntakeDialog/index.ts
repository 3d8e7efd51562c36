export { IntakeDialog } from './IntakeDialog';
export type { IntakeDialogProps } from './IntakeDialog';
