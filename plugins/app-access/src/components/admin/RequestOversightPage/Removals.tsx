import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Link,
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
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { AccessGrant } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { getErrorMessage } from '../../../lib/errors';
import { EntityName } from '../../EntityName';
import { howGranted, until } from '../../MyAccessPage/GrantDialogs';
import { ActionOutcome } from '../RequestActions';
import { useAdminPaths } from '../lib/adminPaths';

/** What is left to do for a removal, in words. */
export function removalState(grant: AccessGrant): string {
  if (grant.status === 'removal_failed') {
    return 'Removal failed: remove it by hand';
  }
  if (grant.removalHandler === 'manual') {
    return 'Waiting for IT to remove it by hand';
  }
  return `Removal ticket in ${grant.removalHandler}${
    grant.removalRef ? ` (${grant.removalRef})` : ''
  }, followed to done`;
}

const MarkRemovedDialog = ({
  grant,
  onClose,
  onDone,
}: {
  grant: AccessGrant;
  onClose: () => void;
  onDone: (o: ActionOutcome) => void;
}) => {
  const api = useApi(appAccessApiRef);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await api.markGrantRemoved(
        grant.id,
        note.trim() ? { note: note.trim() } : {},
      );
      onDone({
        severity: 'success',
        message: `Marked removed: ${grant.appName} ${grant.tierName}`,
      });
    } catch (err) {
      setError(getErrorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="app-access-mark-removed-title"
    >
      <DialogTitle id="app-access-mark-removed-title">
        Mark {grant.appName} {grant.tierName} removed?
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <Typography variant="body2">
          Only once the access is gone at the vendor: the holder is told it was
          removed and the licence is counted free.
        </Typography>
        <TextField
          id="app-access-mark-removed-note"
          label="Note (optional)"
          value={note}
          onChange={e => setNote(e.target.value)}
          margin="normal"
          fullWidth
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
          Mark removed
        </Button>
      </DialogActions>
    </Dialog>
  );
};

export type RemovalsProps = {
  onOutcome: (o: ActionOutcome) => void;
};

/**
 * Removals an admin may have to act on: IT tasks of manual fulfilment,
 * removal tickets still open, and removals that gave up. Each can be marked
 * removed once the access is gone.
 */
export const Removals = ({ onOutcome }: RemovalsProps) => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const removals = useAsyncRetry(() => api.listRemovals(), [api]);
  const [marking, setMarking] = useState<AccessGrant>();
  if (removals.loading && !removals.value) {
    return <Progress />;
  }
  if (removals.error) {
    return <ResponseErrorPanel error={removals.error} />;
  }
  const columns: TableColumn<AccessGrant>[] = [
    {
      title: 'Access',
      render: g => (
        <Link to={paths.request(g.requestId)}>
          {g.appName} — {g.tierName}
        </Link>
      ),
    },
    { title: 'Holder', render: g => <EntityName entityRef={g.grantee} /> },
    { title: 'How granted', render: g => howGranted(g) },
    { title: 'Ends', render: g => until(g) },
    { title: 'Reason', render: g => g.removalReason ?? '' },
    {
      title: 'What is left',
      render: g => (
        <Typography
          variant="body2"
          color={g.status === 'removal_failed' ? 'error' : 'textPrimary'}
        >
          {removalState(g)}
        </Typography>
      ),
    },
    {
      title: '',
      render: g => (
        <Button
          size="small"
          color="primary"
          onClick={() => setMarking(g)}
          aria-label={`Mark ${g.appName} ${g.tierName} removed for ${g.grantee}`}
        >
          Mark removed
        </Button>
      ),
    },
  ];
  return (
    <>
      <Table<AccessGrant>
        title="Removals"
        subtitle="Access to remove by hand, removal tickets still open, and removals that gave up."
        options={{ paging: false, search: false }}
        columns={columns}
        data={removals.value?.items ?? []}
        emptyContent={
          <Typography style={{ padding: 16 }}>
            No removal is waiting for IT.
          </Typography>
        }
      />
      {marking && (
        <MarkRemovedDialog
          grant={marking}
          onClose={() => setMarking(undefined)}
          onDone={o => {
            setMarking(undefined);
            onOutcome(o);
            removals.retry();
          }}
        />
      )}
    </>
  );
};
