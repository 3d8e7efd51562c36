import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
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

const STATUS: Record<AccessGrant['status'], string> = {
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

const ExtendDialog = ({
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

/** What the signed-in user holds through App Access, with Extend and Remove. */
export const MyAccessPage = () => {
  const api = useApi(appAccessApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listMyAccess(),
    [api],
  );
  const [extending, setExtending] = useState<AccessGrant>();
  const [confirming, setConfirming] = useState<AccessGrant>();
  const [notice, setNotice] = useState<{
    severity: 'success' | 'error';
    text: string;
  }>();

  if (loading && !value) {
    return (
      <Content>
        <Progress />
      </Content>
    );
  }
  if (error) {
    return (
      <Content>
        <ResponseErrorPanel error={error} />
      </Content>
    );
  }
  const grants = value?.items ?? [];

  const remove = async (grant: AccessGrant) => {
    setConfirming(undefined);
    try {
      await api.removeAccess(grant.id);
      setNotice({
        severity: 'success',
        text: `${grant.appName} ${grant.tierName} is being removed; you will be told when it is gone`,
      });
    } catch (err) {
      setNotice({ severity: 'error', text: getErrorMessage(err) });
    }
    retry();
  };

  const columns: TableColumn<AccessGrant>[] = [
    {
      title: 'App',
      render: g => (
        <Typography variant="body2">
          <strong>{g.appName}</strong>
        </Typography>
      ),
    },
    { title: 'Tier', field: 'tierName' },
    { title: 'Since', render: g => formatDateTime(g.grantedAt) },
    { title: 'Until', render: g => until(g) },
    { title: 'How granted', render: g => howGranted(g) },
    { title: 'Status', render: g => STATUS[g.status] },
    {
      title: '',
      render: g =>
        g.status === 'active' ? (
          <>
            {g.endsAt && (
              <Button size="small" onClick={() => setExtending(g)}>
                Extend
              </Button>
            )}
            <Button
              size="small"
              color="secondary"
              onClick={() => setConfirming(g)}
            >
              Remove
            </Button>
          </>
        ) : null,
    },
  ];

  return (
    <Content>
      {notice && (
        <Alert severity={notice.severity} onClose={() => setNotice(undefined)}>
          {notice.text}
        </Alert>
      )}
      {grants.length === 0 ? (
        <EmptyState
          missing="content"
          title="You hold no access through App Access"
          description="Access you request and are granted shows here, with when it ends."
        />
      ) : (
        <Table<AccessGrant>
          title="My access"
          options={{ paging: false, search: false }}
          columns={columns}
          data={grants}
        />
      )}
      {extending && (
        <ExtendDialog
          grant={extending}
          onClose={() => setExtending(undefined)}
          onDone={text => {
            setExtending(undefined);
            setNotice({ severity: 'success', text });
            retry();
          }}
        />
      )}
      {confirming && (
        <Dialog open onClose={() => setConfirming(undefined)}>
          <DialogTitle>
            Remove {confirming.appName} {confirming.tierName}?
          </DialogTitle>
          <DialogContent>
            <Typography>
              Your access is removed through {howGranted(confirming)}; you can
              request it again later.
            </Typography>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setConfirming(undefined)}>Keep it</Button>
            <Button
              color="secondary"
              variant="contained"
              onClick={() => remove(confirming)}
            >
              Remove my access
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </Content>
  );
};
