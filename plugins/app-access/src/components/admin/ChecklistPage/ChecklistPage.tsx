import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ContentHeader,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Chip,
  makeStyles,
  Paper,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import RadioButtonUncheckedIcon from '@material-ui/icons/RadioButtonUnchecked';
import RefreshIcon from '@material-ui/icons/Refresh';
import {
  AccessRequest,
  appAccessAuditReadPermission,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { fetchAllPages } from '../../../lib/apps';
import { formatDateTime } from '../../../lib/format';
import { AdminGate } from '../AdminGate';
import { useAdminPaths, useAppPageLink } from '../lib/adminPaths';
import {
  CHECKLIST_STEPS,
  ChecklistStep,
  evaluateChecklist,
  StepEvidence,
} from '../lib/checklist';

const useStyles = makeStyles(theme => ({
  step: {
    padding: theme.spacing(2, 3),
    marginBottom: theme.spacing(2),
  },
  head: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
  },
  title: {
    flex: 1,
    minWidth: 240,
  },
  seen: {
    backgroundColor: theme.palette.success?.main ?? theme.palette.primary.main,
    color: theme.palette.common.white,
  },
  ok: {
    color: theme.palette.success?.main ?? theme.palette.primary.main,
  },
}));

/** The audit events the checklist looks at. */
const EVENT_TYPES = [
  'denied',
  'approved',
  'reminder_sent',
  'fulfilled',
  'awaiting_it',
];

const Step = ({
  step,
  evidence,
}: {
  step: ChecklistStep;
  evidence: StepEvidence;
}) => {
  const classes = useStyles();
  const appPage = useAppPageLink();
  const paths = useAdminPaths();
  const target = `${step.appName} › ${step.tierName}`;
  return (
    <Paper
      variant="outlined"
      className={classes.step}
      data-testid={`checklist-${step.id}`}
      aria-label={`Step ${step.letter}: ${step.title}`}
      role="region"
    >
      <Box className={classes.head}>
        {evidence.seen ? (
          <CheckCircleIcon className={classes.ok} aria-hidden />
        ) : (
          <RadioButtonUncheckedIcon color="disabled" aria-hidden />
        )}
        <Typography variant="h6" component="h2" className={classes.title}>
          ({step.letter}) {step.title}
        </Typography>
        {evidence.seen ? (
          <Chip size="small" className={classes.seen} label="Seen to work" />
        ) : (
          <Chip size="small" variant="outlined" label="Not seen yet" />
        )}
      </Box>
      <Typography variant="body2">
        App and tier:{' '}
        {appPage ? <Link to={appPage(step.appId)}>{target}</Link> : target}
      </Typography>
      <ol>
        {step.steps.map(s => (
          <li key={s}>
            <Typography variant="body2">{s}</Typography>
          </li>
        ))}
      </ol>
      <Typography variant="body2" color="textSecondary">
        {step.expect}
      </Typography>
      {evidence.seen && (
        <Typography variant="body2" style={{ marginTop: 8 }}>
          Last seen {formatDateTime(evidence.at)}
          {evidence.requestId && (
            <>
              {' '}
              on request{' '}
              <Link to={paths.request(evidence.requestId)}>
                {evidence.requestId}
              </Link>
            </>
          )}
          .
        </Typography>
      )}
    </Paper>
  );
};

const ChecklistContent = () => {
  const api = useApi(appAccessApiRef);
  const data = useAsyncRetry(async () => {
    const pages = await Promise.all(
      EVENT_TYPES.map(type => api.listAudit({ type, limit: 1000 })),
    );
    const events = pages.flatMap(p => p.items);
    // Which fulfiller handled a request is on the request, not the event.
    let requests: AccessRequest[] = [];
    let requestsError: string | undefined;
    try {
      requests = await fetchAllPages(
        cursor =>
          api.listAdminRequests({
            status: ['awaiting_it', 'fulfilled'],
            limit: 200,
            cursor,
          }),
        10,
      );
    } catch (e) {
      requestsError = (e as Error).message;
    }
    return {
      evidence: evaluateChecklist(events, requests),
      requestsError,
    };
  }, [api]);

  const seen = data.value
    ? CHECKLIST_STEPS.filter(s => data.value!.evidence[s.id].seen).length
    : 0;

  return (
    <>
      <ContentHeader title="Test your configuration">
        <Button
          startIcon={<RefreshIcon />}
          onClick={data.retry}
          disabled={data.loading}
        >
          Check again
        </Button>
      </ContentHeader>
      <Typography variant="body2" paragraph>
        Walk through the test plan in the demo portal: sign in as each persona
        (“Switch user” in the sidebar), do what the step says, and come back. A
        step is marked “seen to work” once the audit trail shows it happened.
      </Typography>
      {data.loading && !data.value && <Progress />}
      {data.error && <ResponseErrorPanel error={data.error} />}
      {data.value && (
        <>
          <Box mb={2}>
            <Typography variant="subtitle1" data-testid="checklist-summary">
              {seen} of {CHECKLIST_STEPS.length} seen to work
            </Typography>
            {data.value.requestsError && (
              <Alert severity="info">
                Steps (d) and (e) need to see all requests, which was refused:{' '}
                {data.value.requestsError}
              </Alert>
            )}
          </Box>
          {CHECKLIST_STEPS.map(step => (
            <Step
              key={step.id}
              step={step}
              evidence={data.value!.evidence[step.id]}
            />
          ))}
        </>
      )}
    </>
  );
};

/** "Test your configuration": the seed's test plan, ticked off from the audit trail. */
export const ChecklistPage = () => (
  <AdminGate
    permission={appAccessAuditReadPermission}
    deniedTitle="You are not allowed to read the App Access audit trail"
  >
    <ChecklistContent />
  </AdminGate>
);
