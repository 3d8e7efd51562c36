import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@material-ui/core';
import {
  AccessRequest,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { getErrorMessage } from '../../../lib/errors';
import { useEntityDisplayName } from '../../EntityName';

export const RETRYABLE: RequestStatus[] = ['failed'];
export const MARKABLE: RequestStatus[] = ['awaiting_it', 'failed'];

export type ActionOutcome = {
  severity: 'success' | 'error';
  message: string;
  request?: AccessRequest;
};

export type RequestActionsProps = {
  request: AccessRequest;
  onDone: (outcome: ActionOutcome) => void;
  size?: 'small' | 'medium';
};

function describe(request: AccessRequest, who: string) {
  const tier = request.tierName ? ` ${request.tierName}` : '';
  return `${request.appName}${tier} for ${who}`;
}

/**
 * What an admin can do about a stuck request: retry a failed fulfilment,
 * or mark it fulfilled (when IT granted access by hand), with a note for
 * the audit trail.
 */
export const RequestActions = ({
  request,
  onDone,
  size = 'small',
}: RequestActionsProps) => {
  const api = useApi(appAccessApiRef);
  const [busy, setBusy] = useState(false);
  const [marking, setMarking] = useState(false);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string>();

  const canRetry = RETRYABLE.includes(request.status);
  const canMark = MARKABLE.includes(request.status);
  // Only rows with something to do look the requester up.
  const who = useEntityDisplayName(
    canRetry || canMark ? request.requester : undefined,
  );
  if (!canRetry && !canMark) {
    return null;
  }
  const what = describe(request, who);

  const retry = async () => {
    setBusy(true);
    try {
      const updated = await api.retryRequest(request.id);
      onDone({
        severity: 'success',
        message: `Retrying ${what}.`,
        request: updated,
      });
    } catch (e) {
      onDone({ severity: 'error', message: getErrorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const markFulfilled = async () => {
    const trimmed = note.trim();
    if (!trimmed) {
      setNoteError('Say what was done, for the audit trail');
      return;
    }
    if (trimmed.length > 4000) {
      setNoteError('Use at most 4000 characters');
      return;
    }
    setBusy(true);
    try {
      const updated = await api.markFulfilled(request.id, { note: trimmed });
      setMarking(false);
      setNote('');
      onDone({
        severity: 'success',
        message: `Marked ${what} fulfilled.`,
        request: updated,
      });
    } catch (e) {
      setNoteError(getErrorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box display="flex" style={{ gap: 8 }} onClick={e => e.stopPropagation()}>
      {canRetry && (
        <Button
          size={size}
          variant="outlined"
          onClick={retry}
          disabled={busy}
          aria-label={`Retry ${what}`}
        >
          Retry
        </Button>
      )}
      {canMark && (
        <Button
          size={size}
          variant="outlined"
          color="primary"
          onClick={() => setMarking(true)}
          disabled={busy}
          aria-label={`Mark ${what} fulfilled`}
        >
          Mark fulfilled
        </Button>
      )}
      <Dialog
        open={marking}
        onClose={() => !busy && setMarking(false)}
        fullWidth
        maxWidth="sm"
        aria-labelledby={`app-access-mark-${request.id}`}
      >
        <DialogTitle id={`app-access-mark-${request.id}`}>
          Mark {what} fulfilled?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            Do this when access was granted outside App Access. The requester is
            told, and your note goes into the audit trail.
          </DialogContentText>
          <TextField
            id={`app-access-mark-note-${request.id}`}
            label="Note"
            value={note}
            onChange={e => {
              setNote(e.target.value);
              setNoteError(undefined);
            }}
            required
            fullWidth
            multiline
            minRows={2}
            margin="normal"
            error={Boolean(noteError)}
            helperText={
              noteError ?? 'e.g. Seat assigned by hand in the vendor’s console'
            }
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setMarking(false)} disabled={busy}>
            Cancel
          </Button>
          <Button
            color="primary"
            variant="contained"
            onClick={markFulfilled}
            disabled={busy}
          >
            Mark fulfilled
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
};
