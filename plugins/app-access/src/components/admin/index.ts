export {
  ADMIN_SECTIONS,
  AppAccessAdminRouter,
  AppAccessAdminStandalonePage,
} from './AdminPage';
export type { AppAccessAdminRouterProps } from './AdminPage';
export { AdminGate, NotAllowedPanel } from './AdminGate';
export type { AdminGateProps, NotAllowedPanelProps } from './AdminGate';
export { SettingsPage as AppAccessSettingsPage } from './SettingsPage';
export { AdminAppsPage as AppAccessAdminAppsPage } from './AdminAppsPage';
export { AdminAppPage as AppAccessAdminAppPage } from './AdminAppPage';
export { AppEditor, AppEditorDialog } from './AppEditor';
export type { AppEditorProps, AppEditorDialogProps } from './AppEditor';
export { RequestOversightPage as AppAccessRequestOversightPage } from './RequestOversightPage';
export { AdminRequestPage as AppAccessAdminRequestPage } from './AdminRequestPage';
export { AuditPage as AppAccessAuditPage } from './AuditPage';
export { ChecklistPage as AppAccessChecklistPage } from './ChecklistPage';
export { EntityRefPicker, EntityRefsPicker } from './EntityRefPicker';
export type {
  EntityRefPickerProps,
  EntityRefsPickerProps,
} from './EntityRefPicker';
export { OktaPicker } from './OktaPicker';
export type { OktaPickerProps } from './OktaPicker';
export { ModuleTestButton } from './ModuleTestButton';
export type { ModuleTestButtonProps } from './ModuleTestButton';
export { appToDraft, draftToApp, validateDraft } from './lib/appDraft';
export type { AppDraft } from './lib/appDraft';
export { CHECKLIST_STEPS, checklistEvidence } from './lib/checklist';
