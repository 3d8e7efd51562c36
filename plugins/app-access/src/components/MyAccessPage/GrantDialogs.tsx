import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { AccessGrant } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { getErrorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { durationChoices } from '../RequestForm/RequestForm';

const HOW: Record<string, string> = {
  'okta-group': 'Okta group',
  'okta-app': 'Okta app assignment',
  jira: 'Jira ticket',
  zendesk: 'Zendesk ticket',
  email: 'IT ticket (email)',
  manual: 'By IT',
};

export const STATUS: Record<AccessGrant['status'], string> = {
  active: 'Active',
  removing: 'Being removed',
  removed: 'Removed',
  removal_failed: 'Removal failed (IT is told)',
};

/** How a grant was granted, in words. */
export function howGranted(grant: AccessGrant): string {
  return grant.fulfilledBy
    ? HOW[grant.fulfilledBy] ?? grant.fulfilledBy
    : 'App Access';
}

/** The end of a grant, or "until you remove it". */
export function until(grant: AccessGrant): string {
  return grant.endsAt ? formatDateTime(grant.endsAt) : 'Until you remove it';
}

export const ExtendDialog = ({
  grant,
  onClose,
  onDone,
}: {
  grant: AccessGrant;
  onClose: () => void;
  onDone: (message: string) => void;
}) => {
  const api = useApi(appAccessApiRef);
  const choices = durationChoices({
    maxDurationDays: grant.maxDurationDays,
    durationRequired: true,
  }).days;
  const [days, setDays] = useState(String(choices[0] ?? 7));
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!justification.trim()) {
      setError('Say why you need it longer: your approvers read it');
      return;
    }
    setBusy(true);
    try {
      const request = await api.extendAccess(grant.id, {
        durationDays: Number(days),
        justification: justification.trim(),
      });
      onDone(
        request.status === 'fulfilled'
          ? `Extended: ${grant.appName} ${grant.tierName} now lasts ${days} days longer`
          : 'Extension requested: your approvers decide',
      );
    } catch (err) {
      setError(getErrorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>
        Extend {grant.appName} {grant.tierName}
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <TextField
          id="app-access-extend-days"
          select
          label="Extend by"
          value={days}
          onChange={e => setDays(e.target.value)}
          margin="normal"
          fullWidth
        >
          {choices.map(d => (
            <MenuItem key={d} value={String(d)}>
              {d} day{d === 1 ? '' : 's'}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="app-access-extend-justification"
          label="Why do you need it longer?"
          value={justification}
          onChange={e => setJustification(e.target.value)}
          margin="normal"
          fullWidth
          multiline
          minRows={2}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={busy}
        >
          Request extension
        </Button>
      </DialogActions>
    </Dialog>
  );
};

/** "Remove my access?": gives the grant back through its fulfiller. */
export const RemoveDialog = ({
  grant,
  onClose,
  onDone,
}: {
  grant: AccessGrant;
  onClose: () => void;
  onDone: (notice: { severity: 'success' | 'error'; text: string }) => void;
}) => {
  const api = useApi(appAccessApiRef);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    try {
      await api.removeAccess(grant.id);
      onDone({
        severity: 'success',
        text: `${grant.appName} ${grant.tierName} is being removed; you will be told when it is gone`,
      });
    } catch (err) {
      onDone({ severity: 'error', text: getErrorMessage(err) });
    }
  };
  return (
    <Dialog open onClose={onClose}>
      <DialogTitle>
        Remove {grant.appName} {grant.tierName}?
      </DialogTitle>
      <DialogContent>
        <Typography>
          Your access is removed through {howGranted(grant)}; you can request it
          again later.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Keep it
        </Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={remove}
          disabled={busy}
        >
          Remove my access
        </Button>
      </DialogActions>
    </Dialog>
  );
};

/** A notice shown after Extend or Remove. */
export type GrantNotice = { severity: 'success' | 'error'; text: string };

/**
 * Extend and Remove for a list of the caller's grants (My access and the app
 * page's "Your access" card behave the same): the buttons for one grant, the
 * open dialog, and the notice after it; `reload` runs after every change.
 */
export function useGrantActions(reload: () => void) {
  const [extending, setExtending] = useState<AccessGrant>();
  const [removing, setRemoving] = useState<AccessGrant>();
  const [notice, setNotice] = useState<GrantNotice>();

  const buttons = (g: AccessGrant) =>
    g.status === 'active' ? (
      <>
        {g.endsAt && (
          <Button size="small" onClick={() => setExtending(g)}>
            Extend
          </Button>
        )}
        <Button size="small" color="secondary" onClick={() => setRemoving(g)}>
          Remove
        </Button>
      </>
    ) : null;

  const dialogs = (
    <>
      {notice && (
        <Alert severity={notice.severity} onClose={() => setNotice(undefined)}>
          {notice.text}
        </Alert>
      )}
      {extending && (
        <ExtendDialog
          grant={extending}
          onClose={() => setExtending(undefined)}
          onDone={text => {
            setExtending(undefined);
            setNotice({ severity: 'success', text });
            reload();
          }}
        />
      )}
      {removing && (
        <RemoveDialog
          grant={removing}
          onClose={() => setRemoving(undefined)}
          onDone={next => {
            setRemoving(undefined);
            setNotice(next);
            reload();
          }}
        />
      )}
    </>
  );
  return { buttons, dialogs };
}
