import { Fragment, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useLiveUpdates } from '../../hooks/useLiveUpdates';
import {
  Breadcrumbs,
  Content,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  identityApiRef,
  useApi,
  useRouteRef,
} from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Grid,
  makeStyles,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  AccessRequest,
  CANCELLABLE_STATUSES,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { forgetCachedCatalog } from '../../lib/catalogCache';
import { getErrorMessage, plainProblem } from '../../lib/errors';
import {
  formatDateTime,
  formatDay,
  fulfilmentReference,
} from '../../lib/format';
import { appRouteRef, myRequestsRouteRef } from '../../routes';
import { EntityName, EntityNames } from '../EntityName';
import { isOnBehalf } from '../RequestParties';
import { requestTitle } from '../MyRequestsPage';
import { RequestTimeline } from '../RequestTimeline';
import { StatusChip } from '../StatusChip';
import { MessageText } from '../MessageText';

const useStyles = makeStyles(theme => ({
  heading: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    margin: theme.spacing(2, 0, 3),
  },
  title: {
    flex: 1,
    minWidth: 200,
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(1),
    margin: 0,
    '& dt': {
      fontWeight: theme.typography.fontWeightMedium as number,
      color: theme.palette.text.secondary,
    },
    '& dd': {
      margin: 0,
      whiteSpace: 'pre-wrap',
      overflowWrap: 'anywhere',
    },
  },
}));

const sameRef = (a?: string, b?: string) =>
  Boolean(a && b && a.toLocaleLowerCase() === b.toLocaleLowerCase());

const Details = ({ request }: { request: AccessRequest }) => {
  const classes = useStyles();
  const appRoute = useRouteRef(appRouteRef);
  const openTasks = (request.approvals ?? []).filter(t => t.status === 'open');
  const reference = fulfilmentReference(request);
  return (
    <InfoCard title="Details">
      <dl className={classes.facts}>
        <dt>App</dt>
        <dd>
          {request.appId ? (
            <Link to={appRoute({ appId: request.appId })}>
              {request.appName}
            </Link>
          ) : (
            request.appName
          )}
        </dd>
        {request.tierName && (
          <>
            <dt>Tier</dt>
            <dd>{request.tierName}</dd>
          </>
        )}
        {request.intake?.vendor && (
          <>
            <dt>Vendor</dt>
            <dd>{request.intake.vendor}</dd>
          </>
        )}
        {request.intake?.url && (
          <>
            <dt>Website</dt>
            <dd>
              <Link to={request.intake.url}>{request.intake.url}</Link>
            </dd>
          </>
        )}
        {isOnBehalf(request) ? (
          <>
            <dt>For</dt>
            <dd>
              <EntityName entityRef={request.grantee!} />
            </dd>
            <dt>Filed by</dt>
            <dd>
              <EntityName entityRef={request.requester} />
            </dd>
          </>
        ) : (
          <>
            <dt>Requested by</dt>
            <dd>
              <EntityName entityRef={request.requester} />
            </dd>
          </>
        )}
        <dt>Submitted</dt>
        <dd>{formatDateTime(request.createdAt)}</dd>
        {request.neededBy && (
          <>
            <dt>Needed by</dt>
            <dd>{formatDay(request.neededBy)}</dd>
          </>
        )}
        {request.justification && (
          <>
            <dt>Why</dt>
            <dd>{request.justification}</dd>
          </>
        )}
        {openTasks.map(task => (
          <Fragment key={task.id}>
            <dt>Waiting for</dt>
            <dd>
              Level {task.level}:{' '}
              <EntityNames entityRefs={task.approvers} empty="the admins" />
              {task.fallback && ' (fallback approver)'}
            </dd>
          </Fragment>
        ))}
        {reference && (
          <>
            <dt>{reference.label}</dt>
            <dd>
              {request.externalUrl ? (
                <Link to={request.externalUrl}>{reference.text}</Link>
              ) : (
                reference.text
              )}
            </dd>
          </>
        )}
      </dl>
    </InfoCard>
  );
};

/** One request: where it is, everything that happened, and a way out. */
export const RequestPage = () => {
  const classes = useStyles();
  const { requestId = '' } = useParams();
  const api = useApi(appAccessApiRef);
  const identityApi = useApi(identityApiRef);
  const myRequestsRoute = useRouteRef(myRequestsRouteRef);

  const {
    value: request,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => api.getRequest(requestId), [api, requestId]);
  // Decisions, fulfilment and IT show up without a reload.
  useLiveUpdates(update => {
    if (update.requestId === requestId) retry();
  });
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );

  const [confirmOpen, setConfirmOpen] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [notice, setNotice] = useState<{
    severity: 'success' | 'warning' | 'error';
    message: string;
  }>();

  const breadcrumbs = (
    <Breadcrumbs aria-label="breadcrumb">
      <Link to={myRequestsRoute()}>My requests</Link>
      <Typography>{request ? requestTitle(request) : requestId}</Typography>
    </Breadcrumbs>
  );

  // Keep showing the request while it reloads after a cancel.
  if (loading && !request) {
    return (
      <Content>
        {breadcrumbs}
        <Progress />
      </Content>
    );
  }
  if (error || !request) {
    return (
      <Content>
        {breadcrumbs}
        <ResponseErrorPanel error={error ?? new Error('No request')} />
      </Content>
    );
  }

  // Only the requester (or the person it is for) may cancel; approvers open
  // this page too. When the identity can't be read, offer it and let the
  // backend decide.
  const isRequester = identity.error
    ? true
    : sameRef(identity.value?.userEntityRef, request.requester) ||
      sameRef(identity.value?.userEntityRef, request.grantee);
  const canCancel =
    isRequester && CANCELLABLE_STATUSES.includes(request.status);

  const cancel = async () => {
    setCancelling(true);
    try {
      await api.cancelRequest(request.id);
      setNotice({
        severity: 'success',
        message: 'Your request was cancelled.',
      });
    } catch (err) {
      setNotice({ severity: 'warning', message: getErrorMessage(err) });
    } finally {
      setCancelling(false);
      setConfirmOpen(false);
      // Reload either way: on a conflict the request has moved on.
      forgetCachedCatalog();
      retry();
    }
  };

  return (
    <Content>
      {breadcrumbs}
      <Box className={classes.heading}>
        <Box className={classes.title}>
          <Typography variant="h4" component="h1">
            {requestTitle(request)}
            {request.tierName && ` — ${request.tierName}`}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            Request {request.id}
          </Typography>
        </Box>
        <StatusChip status={request.status} size="medium" />
        {canCancel && (
          <Button
            variant="outlined"
            onClick={() => setConfirmOpen(true)}
            disabled={cancelling}
          >
            Cancel request
          </Button>
        )}
      </Box>

      {notice && (
        <Box mb={2}>
          <Alert
            severity={notice.severity}
            onClose={() => setNotice(undefined)}
          >
            <MessageText text={notice.message} />
          </Alert>
        </Box>
      )}
      {request.status === 'failed' && request.failureReason && (
        <Box mb={2}>
          <Alert severity="error">
            Granting access failed:{' '}
            <MessageText text={plainProblem(request.failureReason)} />. IT has
            been told and will follow up.
          </Alert>
        </Box>
      )}

      <Grid container spacing={3}>
        <Grid item xs={12} md={5}>
          <Details request={request} />
        </Grid>
        <Grid item xs={12} md={7}>
          <InfoCard title="History">
            <RequestTimeline request={request} />
          </InfoCard>
        </Grid>
      </Grid>

      <Dialog
        open={confirmOpen}
        onClose={() => !cancelling && setConfirmOpen(false)}
        aria-labelledby="app-access-cancel-title"
      >
        <DialogTitle id="app-access-cancel-title">
          Cancel this request?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            Your approvers will no longer be asked. You can request{' '}
            {request.appName} again later.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmOpen(false)} disabled={cancelling}>
            Keep it
          </Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={cancel}
            disabled={cancelling}
          >
            {cancelling ? 'Cancelling…' : 'Yes, cancel it'}
          </Button>
        </DialogActions>
      </Dialog>
    </Content>
  );
};
