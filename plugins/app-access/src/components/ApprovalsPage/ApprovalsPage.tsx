import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { Box, Button, makeStyles, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  AccessRequest,
  PendingApproval,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { fetchAllPages } from '../../lib/apps';
import { notifyApprovalsChanged } from '../../lib/events';
import { formatDateTime, formatDay, formatDuration } from '../../lib/format';
import { requestRouteRef } from '../../routes';
import { Decision, DecisionDialog } from '../DecisionDialog';
import {
  EntityName,
  useEntityDisplayName,
  useEntityNameMatcher,
} from '../EntityName';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    gap: theme.spacing(1),
    whiteSpace: 'nowrap',
  },
  justification: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxWidth: 420,
  },
}));

type Notice = { severity: 'success' | 'info' | 'error'; message: string };

/** Approve and Deny for one row, labelled with the requester's name. */
const DecisionButtons = ({
  task,
  onDecide,
}: {
  task: PendingApproval;
  onDecide: (decision: Decision) => void;
}) => {
  const classes = useStyles();
  const who = useEntityDisplayName(task.request.requester);
  const label = `${task.request.appName} for ${who}`;
  return (
    <Box className={classes.actions}>
      <Button
        size="small"
        variant="contained"
        color="primary"
        aria-label={`Approve ${label}`}
        onClick={() => onDecide('approve')}
      >
        Approve
      </Button>
      <Button
        size="small"
        variant="outlined"
        aria-label={`Deny ${label}`}
        onClick={() => onDecide('deny')}
      >
        Deny
      </Button>
    </Box>
  );
};

/** Requests waiting for the signed-in user's decision. */
export const ApprovalsPage = () => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const requestRoute = useRouteRef(requestRouteRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => fetchAllPages(cursor => api.listApprovals({ limit: 100, cursor })),
    [api],
  );
  // Hidden right away, before the refreshed list confirms they are gone.
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<{
    approval?: PendingApproval;
    decision: Decision;
  }>({ decision: 'approve' });
  const [notice, setNotice] = useState<Notice>();
  // The requester of the open dialog, by name, for the message afterwards.
  const who = useEntityDisplayName(dialog.approval?.request.requester);
  const nameMatches = useEntityNameMatcher();

  const rows = useMemo(
    () =>
      (value ?? [])
        .filter(task => !decided.has(task.id))
        // Longest-waiting first: they are the ones people are chasing.
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    [value, decided],
  );

  const hide = (approval: PendingApproval) =>
    setDecided(prev => new Set(prev).add(approval.id));
  const closeDialog = () => setDialog(d => ({ ...d, approval: undefined }));

  const onDecided = (approval: PendingApproval, result: AccessRequest) => {
    hide(approval);
    closeDialog();
    // The sidebar count (and anything else listening) reloads.
    notifyApprovalsChanged();
    setNotice({
      severity: 'success',
      message:
        dialog.decision === 'deny' || result.status === 'denied'
          ? `Denied ${approval.request.appName} for ${who}.`
          : `Approved ${approval.request.appName} for ${who}.`,
    });
  };

  const onConflict = (approval: PendingApproval, message: string) => {
    hide(approval);
    closeDialog();
    notifyApprovalsChanged();
    setNotice({ severity: 'info', message });
    retry();
  };

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

  const columns: TableColumn<PendingApproval>[] = [
    {
      title: 'Requester',
      field: 'request.requester',
      render: task => <EntityName entityRef={task.request.requester} />,
      // Search finds "Jane" as well as "jane.doe".
      customFilterAndSearch: (term: string, task: PendingApproval) =>
        nameMatches(task.request.requester, term),
    },
    {
      title: 'App',
      field: 'request.appName',
      highlight: true,
      render: task => (
        <>
          <Link to={requestRoute({ requestId: task.request.id })}>
            {task.request.appName}
          </Link>
          {task.request.tierName && (
            <Typography variant="body2" color="textSecondary">
              {task.request.tierName}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Why',
      sorting: false,
      render: task => (
        <>
          <Typography variant="body2" className={classes.justification}>
            {task.request.justification ?? '—'}
          </Typography>
          {task.request.neededBy && (
            <Typography variant="caption" color="textSecondary">
              Needed by {formatDay(task.request.neededBy)}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Waiting',
      field: 'createdAt',
      render: task => (
        <Typography variant="body2" title={formatDateTime(task.createdAt)}>
          {formatDuration(task.createdAt)}
        </Typography>
      ),
    },
    {
      title: 'Level',
      field: 'level',
      render: task => (
        <>
          <Typography variant="body2">Level {task.level}</Typography>
          {task.fallback && (
            <Typography variant="caption" color="textSecondary">
              as fallback approver
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Decision',
      sorting: false,
      render: task => (
        <DecisionButtons
          task={task}
          onDecide={decision => setDialog({ approval: task, decision })}
        />
      ),
    },
  ];

  return (
    <Content>
      {notice && (
        <Box mb={2}>
          <Alert
            severity={notice.severity}
            onClose={() => setNotice(undefined)}
            role={notice.severity === 'success' ? 'status' : 'alert'}
          >
            {notice.message}
          </Alert>
        </Box>
      )}
      {rows.length === 0 ? (
        <EmptyState
          missing="info"
          title="Nothing waiting for you"
          description="When someone needs your approval for an app, it shows up here and you are notified."
        />
      ) : (
        <Table<PendingApproval>
          title={`Waiting for your decision (${rows.length})`}
          columns={columns}
          data={rows}
          options={{
            paging: rows.length > 20,
            pageSize: 20,
            search: true,
            padding: 'dense',
          }}
        />
      )}
      <DecisionDialog
        approval={dialog.approval}
        decision={dialog.decision}
        onClose={closeDialog}
        onDecided={onDecided}
        onConflict={onConflict}
      />
    </Content>
  );
};
