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
import { forgetCachedCatalog } from '../../lib/catalogCache';
import { getErrorMessage, getErrorStatus } from '../../lib/errors';
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
      forgetCachedCatalog();
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

/** "Keep it or give it back? by <deadline>", for a grant a campaign asks about. */
export function reclaimQuestion(grant: AccessGrant): string {
  return `Keep it or give it back? by ${formatDateTime(
    grant.reclaim?.deadlineAt,
  )}`;
}

/** Why the holder is asked, in words. */
export function reclaimWhy(grant: AccessGrant): string {
  const ask = grant.reclaim;
  if (!ask) return '';
  const last = ask.lastSignInAt
    ? `Your last sign-in was ${formatDateTime(ask.lastSignInAt)}`
    : 'You have not signed in since you got it';
  return `${last}; it is offered back when unused for ${ask.inactiveDays} days. No answer by the deadline removes it.`;
}

/** A refused answer in words: 409 means the question closed or was answered otherwise. */
function answerError(err: unknown): string {
  const message = getErrorMessage(err);
  return getErrorStatus(err) === 409
    ? `Your answer was not taken: ${message}`
    : message;
}

/**
 * "Keep it" (a reason is required) or "Give it back" (confirmed) for a
 * grant a reclamation campaign asks about.
 */
export const ReclaimDialog = ({
  grant,
  answer,
  onClose,
  onDone,
}: {
  grant: AccessGrant;
  answer: 'keep' | 'release';
  onClose: () => void;
  onDone: (notice: GrantNotice) => void;
}) => {
  const api = useApi(appAccessApiRef);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const name = `${grant.appName} ${grant.tierName}`;
  const submit = async () => {
    if (answer === 'keep' && !reason.trim()) {
      setError('Say why you still need it: your admins read it');
      return;
    }
    setBusy(true);
    try {
      await api.answerReclaimQuestion(grant.reclaim!.questionId, {
        answer,
        reason: answer === 'keep' ? reason.trim() : undefined,
      });
      onDone({
        severity: 'success',
        text:
          answer === 'keep'
            ? `You keep ${name}. Thanks for saying why.`
            : `${name} is given back; it is removed through ${howGranted(
                grant,
              )} and you are told when it is gone.`,
      });
    } catch (err) {
      setError(answerError(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="app-access-reclaim-title"
    >
      <DialogTitle id="app-access-reclaim-title">
        {answer === 'keep' ? `Keep ${name}?` : `Give ${name} back?`}
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <Typography variant="body2">{reclaimWhy(grant)}</Typography>
        {grant.reclaim?.message && (
          <Typography variant="body2" color="textSecondary">
            From your admins: {grant.reclaim.message}
          </Typography>
        )}
        {answer === 'keep' ? (
          <TextField
            id="app-access-reclaim-reason"
            label="Why do you still need it?"
            value={reason}
            onChange={e => setReason(e.target.value)}
            margin="normal"
            fullWidth
            multiline
            minRows={2}
            inputProps={{ maxLength: 2000 }}
          />
        ) : (
          <Typography>
            Your access is removed through {howGranted(grant)}; you can request
            it again later.
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Back
        </Button>
        <Button
          color={answer === 'keep' ? 'primary' : 'secondary'}
          variant="contained"
          onClick={submit}
          disabled={busy}
        >
          {answer === 'keep' ? 'Keep it' : 'Give it back'}
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
  const [answering, setAnswering] = useState<{
    grant: AccessGrant;
    answer: 'keep' | 'release';
  }>();
  const [notice, setNotice] = useState<GrantNotice>();

  const reclaimButtons = (g: AccessGrant) =>
    g.reclaim && g.status === 'active' ? (
      <>
        <Button
          size="small"
          color="primary"
          aria-label={`Keep ${g.appName} ${g.tierName}`}
          onClick={() => setAnswering({ grant: g, answer: 'keep' })}
        >
          Keep it
        </Button>
        <Button
          size="small"
          color="secondary"
          aria-label={`Give back ${g.appName} ${g.tierName}`}
          onClick={() => setAnswering({ grant: g, answer: 'release' })}
        >
          Give back
        </Button>
      </>
    ) : null;

  const buttons = (g: AccessGrant) =>
    g.status === 'active' ? (
      <>
        {reclaimButtons(g)}
        {g.endsAt && (
          <Button size="small" onClick={() => setExtending(g)}>
            Extend
          </Button>
        )}
        {!g.reclaim && (
          <Button size="small" color="secondary" onClick={() => setRemoving(g)}>
            Remove
          </Button>
        )}
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
      {answering && (
        <ReclaimDialog
          grant={answering.grant}
          answer={answering.answer}
          onClose={() => setAnswering(undefined)}
          onDone={next => {
            setAnswering(undefined);
            setNotice(next);
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
  return { buttons, reclaimButtons, dialogs };
}
