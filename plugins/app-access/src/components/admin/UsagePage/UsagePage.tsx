import { useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  makeStyles,
  Paper,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  appAccessAppManagePermission,
  appAccessRequestManagePermission,
  AppUsage,
  SignInKnowledge,
  TierUsage,
  UsagePoint,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { AdminGate } from '../AdminGate';
import { useAdminPaths } from '../lib/adminPaths';
import { NO_WRAP } from '../lib/tableLayout';

const useStyles = makeStyles(theme => ({
  detail: {
    padding: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  chart: {
    width: '100%',
    maxWidth: 640,
    height: 160,
    display: 'block',
  },
  holders: { stroke: theme.palette.primary.main },
  active: { stroke: theme.palette.success?.main ?? '#2e7d32' },
}));

/** An amount of money a month, e.g. "€105.00"; "" without an amount. */
export function formatMoney(
  amount: number | null | undefined,
  currency: string | undefined,
): string {
  if (amount === null || amount === undefined) return '';
  if (!currency) return amount.toFixed(2);
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
    }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** A count, or "Unknown" with why when sign-ins are not known. */
const Count = ({
  value,
  signIns,
}: {
  value: number | null;
  signIns: SignInKnowledge;
}) =>
  value === null ? (
    <Tooltip title={signIns.message ?? 'Last sign-ins are not known'}>
      <span>Unknown</span>
    </Tooltip>
  ) : (
    <>{value}</>
  );

function seatsText(t: { seatsUsed: number; seatsPurchased?: number }): string {
  return t.seatsPurchased === undefined
    ? `${t.seatsUsed} used`
    : `${t.seatsUsed} of ${t.seatsPurchased}`;
}

/** "Reclaim": opens New campaign for the app (and tier), for those who may run one. */
const ReclaimButton = ({
  appId,
  tierId,
  label,
}: {
  appId: string;
  tierId?: string;
  label: string;
}) => {
  const paths = useAdminPaths();
  const { allowed } = usePermission({
    permission: appAccessRequestManagePermission,
  });
  if (!allowed) return null;
  return (
    <Button
      size="small"
      color="primary"
      component={RouterLink}
      to={paths.newCampaign(appId, tierId)}
      aria-label={`Reclaim ${label}`}
    >
      Reclaim
    </Button>
  );
};

/** Holders (and active holders) per day, as two lines. */
const HistoryChart = ({ points }: { points: UsagePoint[] }) => {
  const classes = useStyles();
  const width = 640;
  const height = 160;
  const pad = 24;
  const max = Math.max(1, ...points.map(p => p.holders));
  const x = (i: number) =>
    points.length === 1
      ? width / 2
      : pad + (i * (width - 2 * pad)) / (points.length - 1);
  const y = (v: number) => height - pad - (v * (height - 2 * pad)) / max;
  const line = (values: Array<number | null>) =>
    values
      .map((v, i) => (v === null ? null : `${x(i)},${y(v)}`))
      .filter(Boolean)
      .join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <svg
      className={classes.chart}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Holders from ${first.day} (${first.holders}) to ${last.day} (${last.holders})`}
    >
      <polyline
        className={classes.holders}
        fill="none"
        strokeWidth={2}
        points={line(points.map(p => p.holders))}
      />
      <polyline
        className={classes.active}
        fill="none"
        strokeWidth={2}
        strokeDasharray="4 3"
        points={line(points.map(p => p.active30))}
      />
      <text x={pad} y={height - 4} fontSize={11}>
        {first.day}
      </text>
      <text x={width - pad} y={height - 4} fontSize={11} textAnchor="end">
        {last.day}
      </text>
      <text x={pad} y={12} fontSize={11}>
        {max} holders
      </text>
    </svg>
  );
};

/** One app's tiers and its chart of holders over time. */
const AppDetail = ({ app }: { app: AppUsage }) => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const history = useAsyncRetry(
    () => api.getUsageHistory(app.appId, 90),
    [api, app.appId],
  );
  const tierColumns: TableColumn<TierUsage>[] = [
    { title: 'Tier', field: 'tierName' },
    { title: 'Holders', field: 'holders', type: 'numeric' },
    {
      title: 'Active 30 days',
      render: t => <Count value={t.active30} signIns={app.signIns} />,
    },
    {
      title: 'Active 90 days',
      render: t => <Count value={t.active90} signIns={app.signIns} />,
    },
    {
      title: 'Never signed in',
      render: t => <Count value={t.neverSignedIn} signIns={app.signIns} />,
    },
    { title: 'Seats', render: t => seatsText(t), cellStyle: NO_WRAP },
    {
      title: 'Per seat a month',
      render: t => formatMoney(t.costPerSeatMonthly, t.currency) || 'No price',
    },
    { title: 'Unused seats', field: 'unusedSeats', type: 'numeric' },
    {
      title: 'Unused a month',
      render: t => formatMoney(t.unusedSeatCostMonthly, t.currency) || '—',
    },
    {
      title: '',
      render: t => (
        <ReclaimButton
          appId={app.appId}
          tierId={t.tierId}
          label={`${app.appName} ${t.tierName}`}
        />
      ),
    },
  ];
  return (
    <Paper
      variant="outlined"
      className={classes.detail}
      role="region"
      aria-label={`Usage of ${app.appName}`}
    >
      <Typography variant="h6">{app.appName}</Typography>
      <Table<TierUsage>
        title="Tiers"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={tierColumns}
        data={app.tiers}
      />
      <Box mt={2}>
        <Typography variant="subtitle2">
          Holders (solid) and holders active in the last 30 days (dashed), last
          90 days
        </Typography>
        {history.loading && <Progress />}
        {history.error && <ResponseErrorPanel error={history.error} />}
        {history.value && history.value.points.length === 0 && (
          <Typography color="textSecondary">
            No daily snapshot yet: one is taken each day.
          </Typography>
        )}
        {history.value && history.value.points.length > 0 && (
          <HistoryChart points={history.value.points} />
        )}
      </Box>
    </Paper>
  );
};

const UsageContent = () => {
  const api = useApi(appAccessApiRef);
  const insight = useAsyncRetry(() => api.getUsageInsight(), [api]);
  const [selected, setSelected] = useState<string>();

  if (insight.loading && !insight.value) return <Progress />;
  if (insight.error) {
    return (
      <>
        <ResponseErrorPanel error={insight.error} />
        <Button onClick={insight.retry}>Try again</Button>
      </>
    );
  }
  const items = insight.value?.items ?? [];
  if (items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No usage to show yet"
        description="Apps in the catalog and the access App Access grants appear here, with what unused seats cost once you set a price per seat on a tier."
      />
    );
  }
  const columns: TableColumn<AppUsage>[] = [
    { title: 'App', field: 'appName' },
    { title: 'Holders', field: 'holders', type: 'numeric' },
    {
      title: 'Active 30 days',
      render: a => <Count value={a.active30} signIns={a.signIns} />,
    },
    {
      title: 'Active 90 days',
      render: a => <Count value={a.active90} signIns={a.signIns} />,
    },
    {
      title: 'Never signed in',
      render: a => <Count value={a.neverSignedIn} signIns={a.signIns} />,
    },
    { title: 'Unused seats', field: 'unusedSeats', type: 'numeric' },
    {
      title: 'Could save a month',
      render: a => formatMoney(a.unusedSeatCostMonthly, a.currency) || '—',
      cellStyle: NO_WRAP,
    },
    {
      title: '',
      render: a => (
        <Box display="flex">
          <Button
            size="small"
            aria-label={`Details of ${a.appName}`}
            onClick={() => setSelected(a.appId)}
          >
            Details
          </Button>
          <ReclaimButton appId={a.appId} label={a.appName} />
        </Box>
      ),
      cellStyle: NO_WRAP,
    },
  ];
  const chosen = items.find(a => a.appId === selected);
  return (
    <>
      {!insight.value?.signInsTracked && (
        <Alert severity="info">
          Last sign-ins are unknown, so activity shows as “Unknown” rather than
          zero: turn on Okta sign-in tracking (appAccess.okta.sync.lastUsed).
        </Alert>
      )}
      <Table<AppUsage>
        title="Apps, the most to save first"
        options={{ paging: items.length > 20, pageSize: 20, search: true }}
        columns={columns}
        data={items}
      />
      {chosen && <AppDetail app={chosen} />}
    </>
  );
};

/** Usage insight: who uses what, seats bought vs used, and what unused seats cost. */
export const UsagePage = () => (
  <AdminGate
    permission={appAccessAppManagePermission}
    deniedTitle="You are not allowed to see App Access usage"
  >
    <ContentHeader title="Usage" />
    <Typography variant="body2" paragraph>
      A seat is unused when nobody holds it or its holder has not signed in for
      90 days. Prices and seats are set per tier on each app.
    </Typography>
    <UsageContent />
  </AdminGate>
);
