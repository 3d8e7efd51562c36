import { Fragment, ReactNode, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Breadcrumbs,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Grid, makeStyles, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  AccessRequest,
  appAccessRequestReadAllPermission,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import {
  formatDateTime,
  formatDay,
  fulfilmentReference,
} from '../../../lib/format';
import { EntityName, EntityNames } from '../../EntityName';
import { RequestTimeline } from '../../RequestTimeline';
import { StatusChip } from '../../StatusChip';
import { AdminGate } from '../AdminGate';
import { ActionOutcome, RequestActions } from '../RequestActions';
import { NameApprover } from '../NameApprover';
import { useAdminPaths } from '../lib/adminPaths';
import { MessageText } from '../../MessageText';

const useStyles = makeStyles(theme => ({
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

const Facts = ({ request }: { request: AccessRequest }) => {
  const classes = useStyles();
  const paths = useAdminPaths();
  const rows: Array<[string, ReactNode]> = [
    [
      'App',
      request.appId ? (
        <Link to={paths.app(request.appId)}>{request.appName}</Link>
      ) : (
        request.appName
      ),
    ],
  ];
  if (request.tierName) rows.push(['Tier', request.tierName]);
  rows.push(['Requester', <EntityName entityRef={request.requester} />]);
  rows.push(['Submitted', formatDateTime(request.createdAt)]);
  rows.push(['Last change', formatDateTime(request.updatedAt)]);
  if (request.neededBy) rows.push(['Needed by', formatDay(request.neededBy)]);
  if (request.justification) rows.push(['Why', request.justification]);
  if (request.fulfilledBy) rows.push(['Fulfilled by', request.fulfilledBy]);
  const reference = fulfilmentReference(request);
  if (reference) {
    // Admins read the reference as the module recorded it.
    rows.push([
      reference.label,
      request.externalUrl ? (
        <Link to={request.externalUrl}>
          {request.externalRef ?? request.externalUrl}
        </Link>
      ) : (
        request.externalRef
      ),
    ]);
  }
  for (const task of request.approvals ?? []) {
    rows.push([
      `Level ${task.level}`,
      <>
        {task.status}
        {task.decidedBy && (
          <>
            {' by '}
            <EntityName entityRef={task.decidedBy} />
          </>
        )}
        {'; asked '}
        <EntityNames entityRefs={task.approvers} empty="nobody" />
        {task.fallback ? ' (fallback)' : ''}
        {`; ${task.reminders} reminder${task.reminders === 1 ? '' : 's'}`}
      </>,
    ]);
  }
  return (
    <dl className={classes.facts}>
      {rows.map(([k, v], i) => (
        <Fragment key={i}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </Fragment>
      ))}
    </dl>
  );
};

const RequestContent = () => {
  const { requestId = '' } = useParams();
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const loaded = useAsyncRetry(
    () => api.getAdminRequest(requestId),
    [api, requestId],
  );
  const [outcome, setOutcome] = useState<ActionOutcome>();

  const request = loaded.value;
  const breadcrumbs = (
    <Breadcrumbs aria-label="breadcrumb">
      <Link to={paths.requests}>Requests</Link>
      <Typography>{request ? request.appName : requestId}</Typography>
    </Breadcrumbs>
  );
  if (!request) {
    return (
      <>
        {breadcrumbs}
        {loaded.error ? (
          <ResponseErrorPanel error={loaded.error} />
        ) : (
          <Progress />
        )}
      </>
    );
  }

  return (
    <>
      {breadcrumbs}
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        my={2}
        style={{ gap: 16 }}
      >
        <Box flex={1} minWidth={200}>
          <Typography variant="h4" component="h1">
            {request.kind === 'intake'
              ? `New app: ${request.appName}`
              : request.appName}
            {request.tierName && ` — ${request.tierName}`}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            Request {request.id}
          </Typography>
        </Box>
        <StatusChip status={request.status} size="medium" />
        <RequestActions
          request={request}
          size="medium"
          onDone={o => {
            setOutcome(o);
            if (o.severity === 'success') {
              loaded.retry();
            }
          }}
        />
      </Box>
      {outcome && (
        <Box mb={2}>
          <Alert
            severity={outcome.severity}
            onClose={() => setOutcome(undefined)}
          >
            <MessageText text={outcome.message} />
          </Alert>
        </Box>
      )}
      <Box mb={2}>
        <NameApprover
          request={request}
          onNamed={() => {
            setOutcome({
              severity: 'success',
              message: 'The approver was named and asked.',
            });
            loaded.retry();
          }}
        />
      </Box>
      {request.failureReason && (
        <Box mb={2}>
          <Alert severity="error">
            Fulfilment failed: {request.failureReason}
          </Alert>
        </Box>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} md={5}>
          <InfoCard title="Details">
            <Facts request={request} />
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={7}>
          <InfoCard title="History">
            <RequestTimeline request={request} />
          </InfoCard>
        </Grid>
      </Grid>
    </>
  );
};

/** One request as an admin sees it: details, approvals, full history, and actions. */
export const AdminRequestPage = () => (
  <AdminGate
    permission={appAccessRequestReadAllPermission}
    deniedTitle="You are not allowed to see all App Access requests"
  >
    <RequestContent />
  </AdminGate>
);
