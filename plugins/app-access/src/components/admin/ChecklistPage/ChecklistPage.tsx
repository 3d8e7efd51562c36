import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ContentHeader,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
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
import { useState } from 'react';
import {
  AccessRequest,
  appAccessAuditReadPermission,
  SettingsResponse,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { formatDateTime } from '../../../lib/format';
import { AdminGate } from '../AdminGate';
import { useAdminPaths, useAppPageLink } from '../lib/adminPaths';
import {
  CHECKLIST_STEPS,
  ChecklistStep,
  checklistEvidence,
  StepEvidence,
  StepRequirement,
  stepRequirement,
  takenSuggestion,
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

/** "Send reminders now" for requests waiting for approval (the interval is an hour at least). */
const RemindNow = ({
  pending,
  onDone,
}: {
  pending: AccessRequest[];
  onDone: () => void;
}) => {
  const api = useApi(appAccessApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState<string>();
  if (pending.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No request waits for approval now; submit one, then send its reminder
        here instead of waiting for the interval.
      </Typography>
    );
  }
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 8 }} mt={1}>
      {pending.slice(0, 3).map(r => {
        const what = `${r.appName ?? r.appId} › ${r.tierName ?? r.tierId}`;
        return (
          <Box
            key={r.id}
            display="flex"
            alignItems="center"
            flexWrap="wrap"
            style={{ gap: 8 }}
          >
            <Button
              size="small"
              variant="outlined"
              color="primary"
              disabled={Boolean(busy)}
              aria-label={`Send reminders now for ${what}`}
              onClick={async () => {
                setBusy(r.id);
                try {
                  await api.remindApprovers(r.id);
                  alertApi.post({
                    message: `Reminded the approvers of ${what}.`,
                    severity: 'success',
                    display: 'transient',
                  });
                  onDone();
                } catch (e) {
                  alertApi.post({
                    message: `Could not send the reminder: ${
                      (e as Error).message
                    }`,
                    severity: 'error',
                  });
                } finally {
                  setBusy(undefined);
                }
              }}
            >
              Send reminders now
            </Button>
            <Typography variant="body2">{what}</Typography>
          </Box>
        );
      })}
    </Box>
  );
};

const Step = ({
  step,
  evidence,
  requirement,
  pending,
  mine,
  onChange,
}: {
  step: ChecklistStep;
  evidence: StepEvidence;
  requirement?: StepRequirement;
  pending?: AccessRequest[];
  mine?: AccessRequest[];
  onChange: () => void;
}) => {
  const classes = useStyles();
  const taken = mine ? takenSuggestion(step, mine) : undefined;
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
      {taken && (
        <Alert severity="info" style={{ marginTop: 8 }}>
          Your own request for {target} is still open, so it cannot be requested
          again until it closes
          {taken.instead && appPage ? (
            <>
              ; try{' '}
              <Link to={appPage(taken.instead.appId)}>
                {taken.instead.appName} › {taken.instead.tierName}
              </Link>{' '}
              instead, it follows the same path
            </>
          ) : null}
          .
        </Alert>
      )}
      {requirement && !evidence.seen && (
        <Alert severity="warning" style={{ marginTop: 8 }}>
          {requirement.message}{' '}
          <Link to={requirement.setupUrl}>{requirement.setupLabel}</Link>
        </Alert>
      )}
      {step.id === 'ignore' && pending && (
        <RemindNow pending={pending} onDone={onChange} />
      )}
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
    // The backend follows each request's own events along each step's path.
    const evidence = checklistEvidence(await api.getChecklist());
    // What each step needs (settings.manage); without it, no hints.
    let settings: SettingsResponse | undefined;
    try {
      settings = await api.getSettings();
    } catch {
      settings = undefined;
    }
    let pending: AccessRequest[] | undefined;
    try {
      pending = (
        await api.listAdminRequests({ status: ['pending_approval'], limit: 20 })
      ).items;
    } catch {
      pending = undefined;
    }
    // The admin's own open requests: a step's suggestion they block.
    let mine: AccessRequest[] | undefined;
    try {
      mine = (await api.listMyRequests({ limit: 100 })).items;
    } catch {
      mine = undefined;
    }
    return {
      evidence,
      settings,
      pending,
      mine,
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
        step is marked “seen to work” once one request’s audit trail shows it
        followed the step’s whole path.
      </Typography>
      {data.loading && !data.value && <Progress />}
      {data.error && <ResponseErrorPanel error={data.error} />}
      {data.value && (
        <>
          <Box mb={2}>
            <Typography variant="subtitle1" data-testid="checklist-summary">
              {seen} of {CHECKLIST_STEPS.length} seen to work
            </Typography>
          </Box>
          {CHECKLIST_STEPS.map(step => (
            <Step
              key={step.id}
              step={step}
              evidence={data.value!.evidence[step.id]}
              requirement={stepRequirement(step.id, data.value!.settings)}
              pending={data.value!.pending}
              mine={data.value!.mine}
              onChange={data.retry}
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
