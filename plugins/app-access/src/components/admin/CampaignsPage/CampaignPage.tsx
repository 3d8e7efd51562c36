import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
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
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Grid,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  appAccessRequestManagePermission,
  ReclaimCampaign,
  ReclaimQuestionStatus,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { getErrorMessage } from '../../../lib/errors';
import { formatDateTime, humanizeRef } from '../../../lib/format';
import { AdminGate } from '../AdminGate';
import { useAdminPaths } from '../lib/adminPaths';
import { formatMoney } from '../UsagePage/UsagePage';
import {
  CAMPAIGN_STATUS,
  CampaignProgress,
  campaignScope,
  COUNT_LABELS,
  isLive,
  QUESTION_STATUS,
} from './campaignText';

/** How often a running or closing campaign is read again. */
export const CAMPAIGN_POLL_MS = 3000;
const PAGE_SIZES = [25, 50, 100];

type Confirm = 'end' | 'cancel';

const CONFIRM_TEXT: Record<
  Confirm,
  { title: string; body: string; button: string }
> = {
  end: {
    title: 'End the campaign now?',
    body: 'The deadline moves to now: everyone who has not answered loses the access, as at the deadline. Holders who kept it keep it.',
    button: 'End now',
  },
  cancel: {
    title: 'Cancel the campaign?',
    body: 'Open questions are cancelled and holders told; nobody loses access because of this campaign from now on. Removals already under way finish.',
    button: 'Cancel campaign',
  },
};

const Counts = ({ campaign }: { campaign: ReclaimCampaign }) => (
  <Grid container spacing={2} role="list" aria-label="Counts">
    {COUNT_LABELS.map(([key, label]) => (
      <Grid item key={key} role="listitem" aria-label={label}>
        <Typography variant="h5" component="p">
          {campaign.counts[key]}
        </Typography>
        <Typography variant="caption" color="textSecondary">
          {label}
        </Typography>
      </Grid>
    ))}
  </Grid>
);

const Questions = ({
  campaignId,
  version,
}: {
  campaignId: string;
  /** Changes each time the campaign is read again, so the page follows. */
  version: number;
}) => {
  const api = useApi(appAccessApiRef);
  const [status, setStatus] = useState<ReclaimQuestionStatus | ''>('');
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);
  const questions = useAsyncRetry(
    () =>
      api.listCampaignQuestions(campaignId, {
        status: status || undefined,
        limit: pageSize,
        offset: page * pageSize,
      }),
    [api, campaignId, status, page, pageSize, version],
  );
  const value = questions.value;
  return (
    <Paper variant="outlined">
      <Box p={2} display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="h6" component="h2">
          Questions
        </Typography>
        <TextField
          id="campaign-question-status"
          select
          label="Status"
          value={status}
          onChange={e => {
            setStatus(e.target.value as ReclaimQuestionStatus | '');
            setPage(0);
          }}
          style={{ minWidth: 220 }}
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true }}
        >
          <MenuItem value="">Every status</MenuItem>
          {(Object.keys(QUESTION_STATUS) as ReclaimQuestionStatus[]).map(s => (
            <MenuItem key={s} value={s}>
              {QUESTION_STATUS[s]}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      {questions.error && <ResponseErrorPanel error={questions.error} />}
      {!value && questions.loading && <Progress />}
      {value && (
        <>
          <Table size="small" aria-label="Questions">
            <TableHead>
              <TableRow>
                <TableCell>Holder</TableCell>
                <TableCell>Tier</TableCell>
                <TableCell>Last sign-in</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Reason to keep it</TableCell>
                <TableCell>Answered</TableCell>
                <TableCell>Reminders</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.items.length === 0 && (
                <TableRow>
                  <TableCell colSpan={7}>
                    No question{status ? ` with this status` : ''}.
                  </TableCell>
                </TableRow>
              )}
              {value.items.map(q => (
                <TableRow key={q.id}>
                  <TableCell>{q.holderName ?? humanizeRef(q.holder)}</TableCell>
                  <TableCell>{q.tierName}</TableCell>
                  <TableCell>
                    {q.lastSignInAt ? formatDateTime(q.lastSignInAt) : 'Never'}
                  </TableCell>
                  <TableCell>{QUESTION_STATUS[q.status]}</TableCell>
                  <TableCell>{q.reason ?? ''}</TableCell>
                  <TableCell>
                    {q.answeredAt
                      ? `${formatDateTime(q.answeredAt)}${
                          q.answeredVia ? ` (${q.answeredVia})` : ''
                        }`
                      : ''}
                  </TableCell>
                  <TableCell>{q.reminders}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <TablePagination
            component="div"
            count={value.total}
            page={page}
            rowsPerPage={pageSize}
            rowsPerPageOptions={PAGE_SIZES}
            onPageChange={(_e, p) => setPage(p)}
            onRowsPerPageChange={e => {
              setPageSize(Number(e.target.value));
              setPage(0);
            }}
          />
        </>
      )}
    </Paper>
  );
};

const CampaignDetail = ({ campaignId }: { campaignId: string }) => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const [version, setVersion] = useState(0);
  const [confirm, setConfirm] = useState<Confirm>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string>();
  const campaign = useAsyncRetry(
    () => api.getCampaign(campaignId),
    [api, campaignId, version],
  );
  const status = campaign.value?.status;

  // Live while questions are open or removals run; quiet once it is done.
  useEffect(() => {
    if (!status || !isLive(status)) return undefined;
    const timer = setInterval(() => setVersion(v => v + 1), CAMPAIGN_POLL_MS);
    return () => clearInterval(timer);
  }, [status]);

  if (!campaign.value && campaign.loading) return <Progress />;
  if (!campaign.value) {
    return (
      <>
        {campaign.error && <ResponseErrorPanel error={campaign.error} />}
        <Link to={paths.campaigns}>Back to campaigns</Link>
      </>
    );
  }
  const c = campaign.value;

  const act = async (what: Confirm) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await (what === 'end' ? api.endCampaign(c.id) : api.cancelCampaign(c.id));
      setConfirm(undefined);
      setVersion(v => v + 1);
    } catch (err) {
      setConfirm(undefined);
      setActionError(getErrorMessage(err));
      setVersion(v => v + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ContentHeader title={`Campaign: ${campaignScope(c)}`}>
        {c.status === 'running' && (
          <Button variant="outlined" onClick={() => setConfirm('end')}>
            End now
          </Button>
        )}
        {isLive(c.status) && (
          <Button color="secondary" onClick={() => setConfirm('cancel')}>
            Cancel campaign
          </Button>
        )}
      </ContentHeader>
      {actionError && (
        <Box mb={2}>
          <Alert severity="error" onClose={() => setActionError(undefined)}>
            {actionError}
          </Alert>
        </Box>
      )}
      <Paper variant="outlined">
        <Box p={2}>
          <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
            <Chip
              label={CAMPAIGN_STATUS[c.status]}
              color={isLive(c.status) ? 'primary' : 'default'}
              size="small"
            />
            {c.source === 'policy' && (
              <Chip label="Auto-reclaim policy" size="small" />
            )}
            {isLive(c.status) && (
              <Typography variant="caption" color="textSecondary">
                Refreshes every {CAMPAIGN_POLL_MS / 1000} seconds
              </Typography>
            )}
          </Box>
          <Typography variant="body2">
            No sign-in for {c.inactiveDays} days · deadline{' '}
            {formatDateTime(c.deadlineAt)} · started by{' '}
            {humanizeRef(c.createdBy)} on {formatDateTime(c.createdAt)}
            {c.endedAt ? ` · ended ${formatDateTime(c.endedAt)}` : ''}
            {c.cancelledBy ? ` by ${humanizeRef(c.cancelledBy)}` : ''}
          </Typography>
          {c.message && (
            <Typography variant="body2" color="textSecondary">
              Message to holders: {c.message}
            </Typography>
          )}
          <Box my={2}>
            <CampaignProgress campaign={c} />
          </Box>
          <Counts campaign={c} />
          <Box mt={2}>
            <Typography variant="subtitle1" data-testid="campaign-saving">
              {c.monthlySaving === null || c.monthlySaving === undefined
                ? 'Saving: no price is set on the tier'
                : `Saved so far: ${formatMoney(
                    c.monthlySaving,
                    c.currency,
                  )} a month`}
            </Typography>
          </Box>
        </Box>
      </Paper>
      <Box mt={2}>
        <Questions campaignId={c.id} version={version} />
      </Box>
      <Box mt={2}>
        <Link to={paths.campaigns}>Back to campaigns</Link>
      </Box>
      {confirm && (
        <Dialog
          open
          onClose={() => !busy && setConfirm(undefined)}
          aria-labelledby="campaign-confirm-title"
        >
          <DialogTitle id="campaign-confirm-title">
            {CONFIRM_TEXT[confirm].title}
          </DialogTitle>
          <DialogContent>
            <Typography>{CONFIRM_TEXT[confirm].body}</Typography>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setConfirm(undefined)} disabled={busy}>
              Back
            </Button>
            <Button
              variant="contained"
              color={confirm === 'cancel' ? 'secondary' : 'primary'}
              onClick={() => act(confirm)}
              disabled={busy}
            >
              {CONFIRM_TEXT[confirm].button}
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
};

/** One campaign: progress, counts, saving and its questions, live while it runs. */
export const CampaignPage = () => {
  const { campaignId = '' } = useParams();
  return (
    <AdminGate
      permission={appAccessRequestManagePermission}
      deniedTitle="You are not allowed to run reclamation campaigns"
    >
      <CampaignDetail campaignId={campaignId} />
    </AdminGate>
  );
};
