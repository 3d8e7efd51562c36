import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { AccessGrant } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { getErrorMessage } from '../../../lib/errors';
import { formatDateTime, humanizeRef } from '../../../lib/format';
import { EntityName } from '../../EntityName';
import { howGranted, STATUS, until } from '../../MyAccessPage/GrantDialogs';

/** What is being revoked: one holder's grant, or a tier from all its holders. */
type Revoking =
  | { kind: 'one'; grant: AccessGrant }
  | { kind: 'tier'; tierId: string; tierName: string; holders: number };

/** Asks for the reason (the holders are told it) and revokes. */
const RevokeDialog = ({
  appId,
  revoking,
  onClose,
  onDone,
}: {
  appId: string;
  revoking: Revoking;
  onClose: () => void;
  onDone: (message: string) => void;
}) => {
  const api = useApi(appAccessApiRef);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const title =
    revoking.kind === 'one'
      ? `Revoke ${revoking.grant.tierName} from this person?`
      : `Revoke ${revoking.tierName} from all ${revoking.holders} holder${
          revoking.holders === 1 ? '' : 's'
        }?`;
  const submit = async () => {
    if (!reason.trim()) {
      setError(
        'Give a reason: the holders are told it, and the audit trail keeps it',
      );
      return;
    }
    setBusy(true);
    try {
      if (revoking.kind === 'one') {
        await api.revokeGrant(revoking.grant.id, reason.trim());
        onDone(
          `${revoking.grant.tierName} is being removed from ${humanizeRef(
            revoking.grant.grantee,
          )}`,
        );
      } else {
        const { items } = await api.revokeTier(
          appId,
          revoking.tierId,
          reason.trim(),
        );
        onDone(
          `${revoking.tierName} is being removed from ${items.length} holder${
            items.length === 1 ? '' : 's'
          }`,
        );
      }
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
      aria-labelledby="app-access-revoke-title"
    >
      <DialogTitle id="app-access-revoke-title">{title}</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <Typography variant="body2">
          The access is removed through the fulfiller that granted it, and each
          holder is told why.
        </Typography>
        <TextField
          id="app-access-revoke-reason"
          label="Reason"
          required
          value={reason}
          onChange={e => {
            setReason(e.target.value);
            setError(undefined);
          }}
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
          color="secondary"
          variant="contained"
          onClick={submit}
          disabled={busy}
        >
          Revoke
        </Button>
      </DialogActions>
    </Dialog>
  );
};

/**
 * Who holds the app through App Access, by tier, with "Revoke" per holder
 * and "Revoke all holders of this tier" (each asks for a reason).
 */
export const Holders = ({
  appId,
  tiers,
}: {
  appId: string;
  /** The app's tiers, in its order. */
  tiers: { id: string; name: string }[];
}) => {
  const api = useApi(appAccessApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listAppGrants(appId),
    [api, appId],
  );
  const [revoking, setRevoking] = useState<Revoking>();
  const [notice, setNotice] = useState<string>();

  let body;
  if (loading && !value) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value?.items.length) {
    body = (
      <Typography variant="body2" color="textSecondary">
        Nobody holds this app through App Access.
      </Typography>
    );
  } else {
    const grants = value.items;
    // The app's tiers first, then any tier no longer on the app.
    const tierIds = [
      ...tiers.map(t => t.id),
      ...grants.map(g => g.tierId).filter(id => !tiers.some(t => t.id === id)),
    ].filter((id, i, all) => all.indexOf(id) === i);
    body = tierIds.map(tierId => {
      const held = grants.filter(g => g.tierId === tierId);
      if (held.length === 0) return null;
      const tierName =
        tiers.find(t => t.id === tierId)?.name ?? held[0].tierName;
      const active = held.filter(g => g.status === 'active');
      return (
        <Box key={tierId} mb={3} data-testid={`holders-${tierId}`}>
          <Box display="flex" alignItems="center" style={{ gap: 16 }}>
            <Typography variant="h6" component="h3" style={{ flex: 1 }}>
              {tierName} ({held.length})
            </Typography>
            <Button
              size="small"
              color="secondary"
              variant="outlined"
              disabled={active.length === 0}
              onClick={() =>
                setRevoking({
                  kind: 'tier',
                  tierId,
                  tierName,
                  holders: active.length,
                })
              }
            >
              Revoke all holders of this tier
            </Button>
          </Box>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>Holder</TableCell>
                <TableCell>Since</TableCell>
                <TableCell>Until</TableCell>
                <TableCell>How granted</TableCell>
                <TableCell>Status</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {held.map(g => (
                <TableRow key={g.id}>
                  <TableCell>
                    <EntityName entityRef={g.grantee} />
                  </TableCell>
                  <TableCell>{formatDateTime(g.grantedAt)}</TableCell>
                  <TableCell>{until(g)}</TableCell>
                  <TableCell>{howGranted(g)}</TableCell>
                  <TableCell>{STATUS[g.status]}</TableCell>
                  <TableCell align="right">
                    {g.status === 'active' && (
                      <Button
                        size="small"
                        color="secondary"
                        onClick={() => setRevoking({ kind: 'one', grant: g })}
                      >
                        Revoke
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      );
    });
  }

  return (
    <InfoCard title="Holders">
      {notice && (
        <Box mb={2}>
          <Alert severity="success" onClose={() => setNotice(undefined)}>
            {notice}
          </Alert>
        </Box>
      )}
      {body}
      {revoking && (
        <RevokeDialog
          appId={appId}
          revoking={revoking}
          onClose={() => setRevoking(undefined)}
          onDone={message => {
            setRevoking(undefined);
            setNotice(message);
            retry();
          }}
        />
      )}
    </InfoCard>
  );
};
