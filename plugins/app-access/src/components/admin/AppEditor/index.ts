export { AppEditor } from './AppEditor';
export type { AppEditorProps } from './AppEditor';
export { AppEditorDialog } from './AppEditorDialog';
export type { AppEditorDialogProps } from './AppEditorDialog';
export { PolicyEditor } from './PolicyEditor';
export type { PolicyEditorProps } from './PolicyEditor';
export { TierEditor } from './TierEditor';
export type { TierEditorProps } from './TierEditor';
