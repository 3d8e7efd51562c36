import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useLiveUpdates } from '../../hooks/useLiveUpdates';
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
import {
  Box,
  makeStyles,
  Typography,
  useMediaQuery,
  useTheme,
} from '@material-ui/core';
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
import { ClampedText } from '../ClampedText';
import { Decision, DecisionDialog } from '../DecisionDialog';
import { useEntityDisplayName, useEntityNameMatcher } from '../EntityName';
import { ApprovalCards } from './ApprovalCards';
import { DecisionButtons } from './DecisionButtons';
import { MessageText } from '../MessageText';
import { RequestParties } from '../RequestParties';

const useStyles = makeStyles({
  justification: {
    maxWidth: 420,
  },
});

type Notice = { severity: 'success' | 'info' | 'error'; message: string };

/** Requests waiting for the signed-in user's decision. */
export const ApprovalsPage = () => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const requestRoute = useRouteRef(requestRouteRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => fetchAllPages(cursor => api.listApprovals({ limit: 100, cursor })),
    [api],
  );
  // New tasks, reminders and decisions made elsewhere show without a reload.
  useLiveUpdates(() => retry());
  // Hidden right away, before the refreshed list confirms they are gone.
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<{
    approval?: PendingApproval;
    decision: Decision;
  }>({ decision: 'approve' });
  const [notice, setNotice] = useState<Notice>();
  // Who the open dialog's request is for, by name, for the message afterwards.
  const who = useEntityDisplayName(
    dialog.approval?.request.grantee ?? dialog.approval?.request.requester,
  );
  const nameMatches = useEntityNameMatcher();
  const theme = useTheme();
  // Below this a table row cannot show the request and its buttons side by side.
  const narrow = useMediaQuery(theme.breakpoints.down('xs'));
  const stickyCell = {
    position: 'sticky' as const,
    right: 0,
    width: '1%',
    whiteSpace: 'nowrap' as const,
    background: theme.palette.background.paper,
  };

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
      render: task => <RequestParties request={task.request} />,
      // Search finds "Jane" as well as "jane.doe".
      customFilterAndSearch: (term: string, task: PendingApproval) =>
        nameMatches(task.request.requester, term) ||
        nameMatches(task.request.grantee ?? task.request.requester, term),
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
          {task.seatWarning && (
            <Typography variant="body2" color="error">
              {task.seatWarning}
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
          <ClampedText
            className={classes.justification}
            text={task.request.justification ?? '—'}
          />
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
      // Never squeezed or scrolled away: the buttons are why the page exists.
      headerStyle: stickyCell,
      cellStyle: stickyCell,
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
            <MessageText text={notice.message} />
          </Alert>
        </Box>
      )}
      {rows.length > 0 && narrow && (
        <ApprovalCards
          tasks={rows}
          onDecide={(task, decision) => setDialog({ approval: task, decision })}
        />
      )}
      {rows.length === 0 && (
        <EmptyState
          missing="info"
          title="Nothing waiting for you"
          description="When someone needs your approval for an app, it shows up here and you are notified."
        />
      )}
      {rows.length > 0 && !narrow && (
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
