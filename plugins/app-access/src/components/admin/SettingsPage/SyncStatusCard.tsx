import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Chip,
  CircularProgress,
  IconButton,
  LinearProgress,
  makeStyles,
  Paper,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import RefreshIcon from '@material-ui/icons/Refresh';
import { appAccessApiRef } from '../../../api';
import type { SyncOverview, SyncRun } from '../../../api/AppAccessApi';
import { getErrorMessage } from '../../../lib/errors';
import { formatDateTime, formatDuration } from '../../../lib/format';
import {
  formatCount,
  formatMs,
  syncCounts,
  syncDescription,
  syncMode,
  syncName,
} from '../lib/syncStatus';

/** How often the card reloads while a sync is running. */
export const SYNC_REFRESH_MS = 10_000;

const useStyles = makeStyles(theme => ({
  total: {
    marginBottom: theme.spacing(2),
  },
  sync: {
    padding: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  head: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
  },
  name: {
    flex: 1,
    minWidth: 160,
  },
  failed: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  finished: {
    backgroundColor: theme.palette.success?.main ?? theme.palette.primary.main,
    color: theme.palette.common.white,
  },
  progress: {
    margin: theme.spacing(1.5, 0),
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(1.5, 0, 0),
    '& dt': {
      fontWeight: theme.typography.fontWeightMedium as number,
      color: theme.palette.text.secondary,
    },
    '& dd': {
      margin: 0,
    },
  },
  stats: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(140px, 1fr))',
    gap: theme.spacing(1.5),
    margin: theme.spacing(2, 0, 0),
    '& > div': {
      display: 'flex',
      flexDirection: 'column-reverse',
    },
    '& dt': {
      color: theme.palette.text.secondary,
      fontSize: theme.typography.caption.fontSize,
    },
    '& dd': {
      margin: 0,
      fontSize: theme.typography.h6.fontSize,
      fontWeight: theme.typography.fontWeightMedium as number,
    },
  },
  more: {
    marginTop: theme.spacing(1.5),
  },
  error: {
    marginTop: theme.spacing(1.5),
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
}));

/** "5 minutes ago (12 Mar 2030, 10:15)". */
const When = ({ iso }: { iso: string }) => (
  <time dateTime={iso}>
    {formatDuration(iso)} ago{' '}
    <Typography component="span" variant="body2" color="textSecondary">
      ({formatDateTime(iso)})
    </Typography>
  </time>
);

const StatusLabel = ({ run }: { run: SyncRun }) => {
  const classes = useStyles();
  if (run.status === 'running') {
    return (
      <Chip
        size="small"
        color="primary"
        icon={<CircularProgress size={12} color="inherit" aria-hidden />}
        label="Running"
      />
    );
  }
  if (run.status === 'failed') {
    return <Chip size="small" className={classes.failed} label="Failed" />;
  }
  return run.lastFinishedAt ? (
    <Chip size="small" className={classes.finished} label="Finished" />
  ) : (
    <Chip size="small" variant="outlined" label="Not run yet" />
  );
};

function modeText(run: SyncRun): string | undefined {
  const mode = syncMode(run);
  if (!mode) {
    return undefined;
  }
  const text =
    mode.mode === 'full'
      ? 'Full: everything read again'
      : 'Incremental: only changes since the run before';
  return mode.resumes > 0
    ? `${text} (continued from a checkpoint ${mode.resumes}×)`
    : text;
}

const SyncBlock = ({ run }: { run: SyncRun }) => {
  const classes = useStyles();
  const name = syncName(run.id);
  const description = syncDescription(run.id);
  const running = run.status === 'running';
  const mode = modeText(run);
  const { primary, secondary } = syncCounts(run);

  return (
    <Paper
      variant="outlined"
      className={classes.sync}
      role="region"
      aria-label={`${name} sync`}
      data-testid={`sync-${run.id}`}
    >
      <Box className={classes.head}>
        <Box className={classes.name}>
          <Typography variant="h6" component="h3">
            {name}
          </Typography>
          {description && (
            <Typography variant="caption" color="textSecondary">
              {description}
            </Typography>
          )}
        </Box>
        <StatusLabel run={run} />
      </Box>

      {running && (
        <LinearProgress
          className={classes.progress}
          aria-label={`${name} sync running`}
        />
      )}
      {run.status === 'failed' && (
        <Alert severity="error" className={classes.error}>
          <AlertTitle>The last run failed</AlertTitle>
          {run.lastError ?? 'The backend recorded no reason.'}
        </Alert>
      )}

      <dl className={classes.facts}>
        {run.lastStartedAt && (
          <>
            <dt>{running ? 'Running since' : 'Last started'}</dt>
            <dd>
              <When iso={run.lastStartedAt} />
            </dd>
          </>
        )}
        {run.lastFinishedAt && (
          <>
            <dt>{running ? 'Previous run ended' : 'Last finished'}</dt>
            <dd>
              <When iso={run.lastFinishedAt} />
            </dd>
          </>
        )}
        {!running && run.lastDurationMs !== undefined && (
          <>
            <dt>Duration</dt>
            <dd>{formatMs(run.lastDurationMs)}</dd>
          </>
        )}
        {mode && (
          <>
            <dt>Mode</dt>
            <dd>{mode}</dd>
          </>
        )}
      </dl>

      {primary.length > 0 && (
        <dl
          className={classes.stats}
          aria-label={running ? 'Counts so far' : 'Counts of the last run'}
        >
          {primary.map(c => (
            <div key={c.key} data-testid={`sync-${run.id}-${c.key}`}>
              <dt>{c.label}</dt>
              <dd>{c.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {secondary.length > 0 && (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.more}
          data-testid={`sync-${run.id}-more`}
        >
          {secondary.map(c => `${c.label}: ${c.value}`).join(' · ')}
        </Typography>
      )}
    </Paper>
  );
};

const EMPTY_DESCRIPTION =
  'Configure appAccess.okta (with the Okta backend module installed) to sync people, groups and app assignments from Okta. People in the Backstage catalog are copied shortly after the backend starts and then every 30 minutes by default (appAccess.directory.syncEveryMinutes). Until then peer usage has nobody to count.';

const SyncOverviewBody = ({
  overview,
  reloadError,
}: {
  overview: SyncOverview;
  reloadError?: string;
}) => {
  const classes = useStyles();
  return (
    <>
      {reloadError && (
        <Box mb={2}>
          <Alert severity="warning">
            Could not refresh the sync status: {reloadError}
          </Alert>
        </Box>
      )}
      {(overview.items.length > 0 || overview.people > 0) && (
        <Typography
          variant="body1"
          className={classes.total}
          data-testid="sync-people"
        >
          People known: <strong>{formatCount(overview.people)}</strong>{' '}
          <Typography component="span" variant="body2" color="textSecondary">
            (active people from every source)
          </Typography>
        </Typography>
      )}
      {overview.items.length === 0 ? (
        <EmptyState
          missing="data"
          title="No directory sync has run yet"
          description={EMPTY_DESCRIPTION}
        />
      ) : (
        overview.items.map(run => <SyncBlock key={run.id} run={run} />)
      )}
    </>
  );
};

export type SyncStatusCardProps = {
  /** How often to reload while a sync is running (default 10 s). */
  refreshMs?: number;
};

/** The directory and usage syncs (Okta, the catalog copy): how their last runs went, and what they counted. */
export const SyncStatusCard = ({
  refreshMs = SYNC_REFRESH_MS,
}: SyncStatusCardProps) => {
  const api = useApi(appAccessApiRef);
  const [generation, setGeneration] = useState(0);
  const loaded = useAsync(() => api.getSyncStatus(), [api, generation]);
  // The last answer stays on screen while reloading (useAsync keeps it),
  // and when a reload fails (it does not: kept here).
  const [lastLoaded, setLastLoaded] = useState<SyncOverview>();
  useEffect(() => {
    if (loaded.value) {
      setLastLoaded(loaded.value);
    }
  }, [loaded.value]);
  const overview = loaded.value ?? lastLoaded;

  const running = Boolean(overview?.items.some(s => s.status === 'running'));
  // One reload per answer (or failure) that still shows a running sync. Keyed
  // on the answer, not on the generation: right after the generation moves,
  // useAsync still reports the previous answer as not loading for a render,
  // and a timer set then could fire before the reload starts on a busy
  // machine, asking twice.
  useEffect(() => {
    if (!running) {
      return undefined;
    }
    const timer = setTimeout(() => setGeneration(g => g + 1), refreshMs);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded.value, loaded.error, refreshMs]);

  const refresh = (
    <Tooltip title="Refresh">
      <span>
        <IconButton
          aria-label="Refresh sync status"
          onClick={() => setGeneration(g => g + 1)}
          disabled={loaded.loading}
        >
          <RefreshIcon />
        </IconButton>
      </span>
    </Tooltip>
  );

  let body;
  if (!overview) {
    body = loaded.error ? (
      <ResponseErrorPanel error={loaded.error} />
    ) : (
      <Progress />
    );
  } else {
    body = (
      <SyncOverviewBody
        overview={overview}
        reloadError={loaded.error ? getErrorMessage(loaded.error) : undefined}
      />
    );
  }

  return (
    <InfoCard
      title="Directory and usage sync"
      subheader="Who works here, in which groups, and who has which app: what peer usage is counted from"
      action={refresh}
    >
      {body}
    </InfoCard>
  );
};
