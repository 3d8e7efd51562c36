import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { getErrorMessage } from '../../../lib/errors';
import { EntityRefPicker } from '../EntityRefPicker';

/** The open approval level of a request, when nobody may decide it yet. */
export function levelAwaitingAdmin(request: AccessRequest) {
  if (request.status !== 'pending_approval') return undefined;
  return request.approvals?.find(
    t => t.status === 'open' && t.approvers.length === 0,
  );
}

/**
 * Separation of duties can leave a level with nobody who may decide it
 * (everyone who could, the fallback approver too, decided an earlier
 * level). The request waits here until an admin names someone else.
 */
export const NameApprover = ({
  request,
  onNamed,
}: {
  request: AccessRequest;
  onNamed: (updated: AccessRequest) => void;
}) => {
  const api = useApi(appAccessApiRef);
  const [approver, setApprover] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const task = levelAwaitingAdmin(request);
  if (!task) return null;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onNamed(await api.nameApprover(request.id, approver.trim()));
      setApprover('');
    } catch (e) {
      setError(getErrorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Alert severity="warning" data-testid="name-approver">
      <Typography variant="body2" gutterBottom>
        Nobody may decide level {task.level}: everyone who could decided an
        earlier level of this request. Name the person or group who decides it;
        they are asked at once.
      </Typography>
      <Box display="flex" alignItems="flex-start" style={{ gap: 8 }}>
        <Box flex={1} minWidth={240}>
          <EntityRefPicker
            id="name-approver"
            label={`Approver for level ${task.level}`}
            kinds={['User', 'Group']}
            value={approver}
            onChange={setApprover}
            error={error}
            disabled={busy}
          />
        </Box>
        <Button
          variant="contained"
          color="primary"
          disabled={busy || !approver.trim()}
          onClick={submit}
        >
          Name approver
        </Button>
      </Box>
    </Alert>
  );
};
