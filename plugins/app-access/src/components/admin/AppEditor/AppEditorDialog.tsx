import { Dialog, DialogContent, DialogTitle } from '@material-ui/core';
import type { AdminApp } from '../../../api/AppAccessApi';
import { AppDraft } from '../lib/appDraft';
import { AppEditor } from './AppEditor';

export type AppEditorDialogProps = {
  open: boolean;
  title: string;
  initial: AppDraft;
  isNew: boolean;
  savedListed?: boolean;
  onClose: () => void;
  onSaved: (app: AdminApp, message: string) => void;
};

/** The app editor in a dialog, for new apps and quick "Add to catalog". */
export const AppEditorDialog = ({
  open,
  title,
  onClose,
  ...editor
}: AppEditorDialogProps) => (
  <Dialog
    open={open}
    onClose={onClose}
    fullWidth
    maxWidth="lg"
    aria-labelledby="app-access-app-editor-title"
  >
    <DialogTitle id="app-access-app-editor-title">{title}</DialogTitle>
    <DialogContent>
      {/* Unmounted when closed, so each opening starts from `initial`. */}
      <AppEditor {...editor} onCancel={onClose} focusName />
    </DialogContent>
  </Dialog>
);
