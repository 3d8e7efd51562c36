import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import {
  ContentHeader,
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Grid,
  MenuItem,
  Paper,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  appAccessRequestManagePermission,
  ReclaimMatch,
  ReclaimPreview,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { getErrorMessage } from '../../../lib/errors';
import { fetchAllPages } from '../../../lib/apps';
import { formatDateTime, humanizeRef } from '../../../lib/format';
import { AdminGate } from '../AdminGate';
import { useAdminPaths } from '../lib/adminPaths';
import { NO_WRAP } from '../lib/tableLayout';
import { formatMoney } from '../UsagePage/UsagePage';

/** The rule's defaults: no sign-in for 60 days, 14 days to answer. */
export const CAMPAIGN_DEFAULTS = { inactiveDays: 60, answerDays: 14 };
/** The most holders a preview lists (the backend's own cap). */
const PREVIEW_LIMIT = 1000;

/** A whole number within bounds, or undefined with what is wrong. */
function wholeDays(
  value: string,
  min: number,
  max: number,
): { days?: number; error?: string } {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    return { error: `A whole number of days from ${min} to ${max}` };
  }
  return { days: Number(v) };
}

const PreviewTable = ({ preview }: { preview: ReclaimPreview }) => {
  const columns: TableColumn<ReclaimMatch>[] = [
    {
      title: 'Holder',
      render: m => m.holderName ?? humanizeRef(m.holder),
    },
    { title: 'Tier', field: 'tierName' },
    {
      title: 'Last sign-in',
      render: m => (m.lastSignInAt ? formatDateTime(m.lastSignInAt) : 'Never'),
      cellStyle: NO_WRAP,
    },
    {
      title: 'Held since',
      render: m => formatDateTime(m.grantedAt),
      cellStyle: NO_WRAP,
    },
  ];
  return (
    <Table<ReclaimMatch>
      title={`Who would be asked (${preview.total})`}
      options={{
        paging: preview.items.length > 20,
        pageSize: 20,
        search: false,
        padding: 'dense',
      }}
      columns={columns}
      data={preview.items}
    />
  );
};

/**
 * "New campaign": the rule, a live preview of exactly who it matches, and
 * Start, which asks those holders (and nobody the admin did not see).
 */
const NewCampaignForm = () => {
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [appId, setAppId] = useState(params.get('appId') ?? '');
  const [tierId, setTierId] = useState(params.get('tierId') ?? '');
  const [inactive, setInactive] = useState(
    String(CAMPAIGN_DEFAULTS.inactiveDays),
  );
  const [answer, setAnswer] = useState(String(CAMPAIGN_DEFAULTS.answerDays));
  const [message, setMessage] = useState('');
  const [startError, setStartError] = useState<string>();
  const [starting, setStarting] = useState(false);

  const apps = useAsync(
    () => fetchAllPages(cursor => api.listAdminApps({ limit: 200, cursor })),
    [api],
  );
  const app = apps.value?.find(a => a.id === appId);
  const inactiveDays = wholeDays(inactive, 1, 730);
  const answerDays = wholeDays(answer, 1, 90);

  // The preview follows the rule as it is typed, a moment after typing stops.
  const [query, setQuery] = useState<{
    appId: string;
    tierId?: string;
    inactiveDays: number;
  }>();
  useDebounce(
    () =>
      setQuery(
        appId && inactiveDays.days !== undefined
          ? {
              appId,
              tierId: tierId || undefined,
              inactiveDays: inactiveDays.days,
            }
          : undefined,
      ),
    300,
    [appId, tierId, inactiveDays.days],
  );
  const preview = useAsync(
    async () =>
      query
        ? api.previewCampaign({ ...query, limit: PREVIEW_LIMIT })
        : undefined,
    [api, query],
  );
  const current =
    preview.value &&
    preview.value.appId === appId &&
    (preview.value.tierId ?? '') === tierId &&
    preview.value.inactiveDays === inactiveDays.days
      ? preview.value
      : undefined;

  const start = async () => {
    if (!current || answerDays.days === undefined) return;
    setStarting(true);
    setStartError(undefined);
    try {
      const campaign = await api.startCampaign({
        appId,
        tierId: tierId || undefined,
        inactiveDays: current.inactiveDays,
        answerDays: answerDays.days,
        message: message.trim() || undefined,
        grantIds: current.items.map(m => m.grantId),
      });
      navigate(paths.campaign(campaign.id));
    } catch (err) {
      setStartError(getErrorMessage(err));
      setStarting(false);
    }
  };

  if (apps.loading) return <Progress />;
  if (apps.error) return <ResponseErrorPanel error={apps.error} />;

  const canStart =
    Boolean(current) &&
    (current?.items.length ?? 0) > 0 &&
    answerDays.days !== undefined &&
    !starting;

  return (
    <>
      <Paper variant="outlined">
        <Box p={2}>
          <Grid container spacing={2}>
            <Grid item xs={12} sm={6}>
              <TextField
                id="campaign-app"
                select
                label="App"
                value={app ? appId : ''}
                onChange={e => {
                  setAppId(e.target.value);
                  setTierId('');
                }}
                fullWidth
                helperText={
                  appId && !app ? `No app '${appId}': pick one` : undefined
                }
                error={Boolean(appId && !app)}
              >
                {(apps.value ?? []).map(a => (
                  <MenuItem key={a.id} value={a.id}>
                    {a.name}
                  </MenuItem>
                ))}
              </TextField>
            </Grid>
            <Grid item xs={12} sm={6}>
              <TextField
                id="campaign-tier"
                select
                label="Tier"
                value={app?.tiers.some(t => t.id === tierId) ? tierId : ''}
                onChange={e => setTierId(e.target.value)}
                fullWidth
                disabled={!app}
                SelectProps={{ displayEmpty: true }}
                InputLabelProps={{ shrink: true }}
              >
                <MenuItem value="">Every tier</MenuItem>
                {(app?.tiers ?? []).map(t => (
                  <MenuItem key={t.id} value={t.id}>
                    {t.name}
                  </MenuItem>
                ))}
              </TextField>
            </Grid>
            <Grid item xs={12} sm={6}>
              <TextField
                id="campaign-inactive-days"
                label="No sign-in for (days)"
                value={inactive}
                onChange={e => setInactive(e.target.value)}
                fullWidth
                inputProps={{ inputMode: 'numeric' }}
                error={Boolean(inactiveDays.error)}
                helperText={
                  inactiveDays.error ??
                  'Holders who never signed in count once they held it this long'
                }
              />
            </Grid>
            <Grid item xs={12} sm={6}>
              <TextField
                id="campaign-answer-days"
                label="Days to answer"
                value={answer}
                onChange={e => setAnswer(e.target.value)}
                fullWidth
                inputProps={{ inputMode: 'numeric' }}
                error={Boolean(answerDays.error)}
                helperText={
                  answerDays.error ??
                  'No answer by then removes the access, as giving it back does'
                }
              />
            </Grid>
            <Grid item xs={12}>
              <TextField
                id="campaign-message"
                label="Message to holders (optional)"
                value={message}
                onChange={e => setMessage(e.target.value)}
                fullWidth
                multiline
                minRows={2}
                inputProps={{ maxLength: 2000 }}
              />
            </Grid>
          </Grid>
        </Box>
      </Paper>
      <Box mt={2}>
        {!appId && (
          <Typography color="textSecondary">
            Pick an app to see who the rule matches.
          </Typography>
        )}
        {appId && preview.loading && <Progress />}
        {appId && preview.error && <ResponseErrorPanel error={preview.error} />}
        {current && !current.signInsTracked && (
          <Alert severity="warning">
            Sign-ins to {app?.name ?? appId} are not known, so nobody can be
            asked on a guess. Turn on Okta sign-in tracking
            (appAccess.okta.sync.lastUsed) and map the app to its Okta app.
          </Alert>
        )}
        {current && current.signInsTracked && current.total === 0 && (
          <EmptyState
            missing="data"
            title="Nobody matches"
            description={`Every holder signed in within the last ${
              current.inactiveDays
            } days${
              current.alreadyAsked
                ? `, or is already asked by another running campaign (${current.alreadyAsked})`
                : ''
            }.`}
          />
        )}
        {current && current.total > 0 && (
          <>
            <Typography variant="h6" component="p" data-testid="campaign-total">
              {current.total} holder{current.total === 1 ? '' : 's'} match
              {current.total === 1 ? 'es' : ''}
              {current.monthlySaving !== null &&
              current.monthlySaving !== undefined
                ? `: up to ${formatMoney(
                    current.monthlySaving,
                    current.currency,
                  )} a month to save`
                : ' (no price set on the tier)'}
            </Typography>
            {Boolean(current.alreadyAsked) && (
              <Typography variant="body2" color="textSecondary">
                {current.alreadyAsked} more are left out: another running
                campaign already asks them.
              </Typography>
            )}
            {current.items.length < current.total && (
              <Alert severity="info">
                Only the first {current.items.length} are listed; the campaign
                asks those listed, and you can run another for the rest.
              </Alert>
            )}
            <PreviewTable preview={current} />
          </>
        )}
      </Box>
      {startError && (
        <Box mt={2}>
          <Alert severity="error">{startError}</Alert>
        </Box>
      )}
      <Box mt={2} display="flex" style={{ gap: 8 }}>
        <Button
          variant="contained"
          color="primary"
          onClick={start}
          disabled={!canStart}
        >
          Start campaign
        </Button>
        <Button component={Link} to={paths.campaigns}>
          Back to campaigns
        </Button>
      </Box>
    </>
  );
};

/** "New campaign", under Campaigns (request.manage). */
export const NewCampaignPage = () => (
  <AdminGate
    permission={appAccessRequestManagePermission}
    deniedTitle="You are not allowed to run reclamation campaigns"
  >
    <ContentHeader title="New campaign" />
    <Typography variant="body2" paragraph>
      Ask the holders who have not used an app for a while whether they still
      need it. Nobody is asked until you start; only the holders listed below
      are asked.
    </Typography>
    <NewCampaignForm />
  </AdminGate>
);
