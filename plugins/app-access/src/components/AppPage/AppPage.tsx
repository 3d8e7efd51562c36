import { ReactNode, useState } from 'react';
import { Link as RouterLink, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Breadcrumbs,
  Content,
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Chip,
  Grid,
  List,
  ListItem,
  ListItemSecondaryAction,
  ListItemText,
  makeStyles,
  Typography,
} from '@material-ui/core';
import LaunchIcon from '@material-ui/icons/Launch';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../api';
import { heldTierIds, openRequestTierId } from '../../lib/apps';
import { getErrorMessage, getErrorStatus } from '../../lib/errors';
import { formatDateTime, ownerRef } from '../../lib/format';
import { requestRouteRef, rootRouteRef } from '../../routes';
import { AppBadge } from '../AppBadge';
import { AppLogo } from '../AppLogo';
import { EntityName } from '../EntityName';
import {
  howGranted,
  STATUS,
  until,
  useGrantActions,
} from '../MyAccessPage/GrantDialogs';
import { WhoUsesIt } from '../PeerUsage';
import { RequestForm } from '../RequestForm';
import { StatusChip } from '../StatusChip';
import { WhyDisabled } from '../WhyDisabled';

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
    margin: theme.spacing(2, 0, 0),
    '& dt': {
      fontWeight: theme.typography.fontWeightMedium as number,
      color: theme.palette.text.secondary,
    },
    '& dd': {
      margin: 0,
    },
  },
  tierTitle: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  tierItem: {
    paddingRight: theme.spacing(14),
  },
}));

/** The caller's grants for this app (held or on their way out) with Extend and Remove. */
const YourGrants = ({
  appId,
  empty,
}: {
  appId: string;
  /** Shown when they hold nothing of this app. */
  empty?: ReactNode;
}) => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listMyAccess(),
    [api],
  );
  const actions = useGrantActions(retry);
  if (loading && !value) {
    return <Progress />;
  }
  if (error) {
    return (
      <Typography variant="body2" color="error">
        Could not load what you hold: {getErrorMessage(error)}
      </Typography>
    );
  }
  const grants = (value?.items ?? []).filter(
    g => g.appId === appId && g.status !== 'removed',
  );
  return (
    <>
      {actions.dialogs}
      {grants.length === 0 && empty}
      {grants.map(g => (
        <Box key={g.id} data-testid={`your-grant-${g.tierId}`}>
          <Typography variant="subtitle2" component="h3">
            {g.tierName}
            {g.status !== 'active' ? ` · ${STATUS[g.status]}` : ''}
          </Typography>
          <dl className={classes.facts}>
            <dt>Since</dt>
            <dd>{formatDateTime(g.grantedAt)}</dd>
            <dt>Until</dt>
            <dd>{until(g)}</dd>
            <dt>How granted</dt>
            <dd>{howGranted(g)}</dd>
          </dl>
          <Box mt={1}>{actions.buttons(g)}</Box>
        </Box>
      ))}
    </>
  );
};

const YourAccess = ({
  app,
  onRequest,
}: {
  app: CatalogApp;
  onRequest: () => void;
}) => {
  const requestRoute = useRouteRef(requestRouteRef);
  const mine = app.myRequest;
  const tierName = app.tiers.find(t => t.id === mine?.tierId)?.name;
  // What they hold shows from the grants; a request still on its way, and
  // "nothing yet", from the app's own summary.
  const inProgress = mine && mine.status !== 'fulfilled';
  return (
    <InfoCard title="Your access">
      <Box
        display="flex"
        flexDirection="column"
        style={{ gap: 8 }}
        data-testid="your-access"
      >
        <YourGrants
          appId={app.id}
          empty={
            mine?.status === 'fulfilled' && (
              <Typography variant="body2">
                You have access to this app.
              </Typography>
            )
          }
        />
        {inProgress && (
          <>
            <Box display="flex" alignItems="center" style={{ gap: 8 }}>
              <StatusChip status={mine.status} />
              {tierName && <Typography variant="body2">{tierName}</Typography>}
            </Box>
            <Typography variant="body2">
              Your request is in progress.
            </Typography>
            <Link to={requestRoute({ requestId: mine.id })}>
              View your request
            </Link>
          </>
        )}
        {!mine && (
          <>
            <Typography variant="body2">
              You haven't requested this app yet.
            </Typography>
            <Box>
              <Button variant="outlined" color="primary" onClick={onRequest}>
                Request access
              </Button>
            </Box>
          </>
        )}
        {mine?.status === 'fulfilled' && (
          <Link to={requestRoute({ requestId: mine.id })}>
            View your request
          </Link>
        )}
      </Box>
    </InfoCard>
  );
};

/** One app: what it is, who owns it, its tiers, and a way to ask for it. */
export const AppPage = () => {
  const classes = useStyles();
  const { appId = '' } = useParams();
  const api = useApi(appAccessApiRef);
  const rootRoute = useRouteRef(rootRouteRef);
  const {
    value: app,
    loading,
    error,
  } = useAsyncRetry(() => api.getApp(appId), [api, appId]);
  const [form, setForm] = useState<{ open: boolean; tierId?: string }>({
    open: false,
  });

  const breadcrumbs = (
    <Breadcrumbs aria-label="breadcrumb">
      <Link to={rootRoute()}>Apps</Link>
      <Typography>{app?.name ?? appId}</Typography>
    </Breadcrumbs>
  );

  if (loading) {
    return (
      <Content>
        {breadcrumbs}
        <Progress />
      </Content>
    );
  }
  if (error && getErrorStatus(error) === 404) {
    return (
      <Content>
        {breadcrumbs}
        <EmptyState
          missing="data"
          title="App not found"
          description={`There is no app "${appId}" in the catalog. It may have been removed or renamed.`}
          action={
            <Button
              variant="contained"
              color="primary"
              component={RouterLink}
              to={rootRoute()}
            >
              Back to the catalog
            </Button>
          }
        />
      </Content>
    );
  }
  if (error || !app) {
    return (
      <Content>
        {breadcrumbs}
        <ResponseErrorPanel error={error ?? new Error('No app')} />
      </Content>
    );
  }

  const held = heldTierIds(app);
  const pendingTierId = openRequestTierId(app);
  const blocked = pendingTierId ? [...held, pendingTierId] : held;
  const requestable = app.tiers.filter(tier => !blocked.includes(tier.id));
  // Everything is theirs or already asked for: the backend would say 409.
  const nothingLeft = blocked.length > 0 && requestable.length === 0;
  const whyBlocked = (tierId: string) => {
    if (held.includes(tierId)) {
      return 'You already have this tier';
    }
    return tierId === pendingTierId
      ? 'You already have an open request for this tier'
      : undefined;
  };
  const openForm = (tierId?: string) =>
    setForm({
      open: true,
      tierId:
        tierId ?? (requestable.length === 1 ? requestable[0].id : undefined),
    });
  let mainLabel = 'Request access';
  let mainReason: string | undefined;
  if (nothingLeft) {
    mainReason = pendingTierId
      ? 'You already have an open request for this app'
      : 'You already have this app';
  } else if (blocked.length > 0) {
    mainLabel = 'Request another tier';
  }

  return (
    <Content>
      {breadcrumbs}
      <Box className={classes.heading}>
        <AppLogo app={app} size="large" />
        <Box className={classes.title}>
          <Typography variant="h4" component="h1">
            {app.name}
          </Typography>
          {app.vendor && (
            <Typography variant="subtitle1" color="textSecondary">
              by {app.vendor}
            </Typography>
          )}
        </Box>
        <AppBadge app={app} />
        <WhyDisabled reason={mainReason}>
          <Button
            variant="contained"
            color="primary"
            onClick={() => openForm()}
            disabled={nothingLeft}
          >
            {mainLabel}
          </Button>
        </WhyDisabled>
      </Box>

      <Grid container spacing={3}>
        <Grid item xs={12} md={8}>
          <Grid container spacing={3} direction="column">
            <Grid item>
              <InfoCard title="About">
                {app.description && (
                  <Typography variant="body1">{app.description}</Typography>
                )}
                <dl className={classes.facts}>
                  {app.vendor && (
                    <>
                      <dt>Vendor</dt>
                      <dd>{app.vendor}</dd>
                    </>
                  )}
                  <dt>Category</dt>
                  <dd>{app.category}</dd>
                  {app.url && (
                    <>
                      <dt>Website</dt>
                      <dd>
                        <Link to={app.url}>
                          {app.url} <LaunchIcon fontSize="inherit" />
                        </Link>
                      </dd>
                    </>
                  )}
                  <dt>Owner</dt>
                  <dd>
                    {app.owner ? (
                      <EntityName entityRef={ownerRef(app.owner)} />
                    ) : (
                      'Not set'
                    )}
                  </dd>
                </dl>
              </InfoCard>
            </Grid>
            <Grid item>
              <InfoCard title="License tiers">
                {app.tiers.length === 0 ? (
                  <Typography variant="body2">
                    This app has no tiers that can be requested yet.
                  </Typography>
                ) : (
                  <List disablePadding>
                    {app.tiers.map(tier => {
                      const hasTier = held.includes(tier.id);
                      const reason = whyBlocked(tier.id);
                      return (
                        <ListItem
                          key={tier.id}
                          divider
                          className={classes.tierItem}
                          data-testid={`tier-${tier.id}`}
                        >
                          <ListItemText
                            disableTypography
                            primary={
                              <Box className={classes.tierTitle}>
                                <Typography variant="subtitle1" component="h3">
                                  {tier.name}
                                </Typography>
                                <Chip
                                  size="small"
                                  variant="outlined"
                                  label={
                                    tier.needsApproval
                                      ? 'Needs approval'
                                      : 'No approval needed'
                                  }
                                />
                              </Box>
                            }
                            secondary={
                              tier.description && (
                                <Typography
                                  variant="body2"
                                  color="textSecondary"
                                >
                                  {tier.description}
                                </Typography>
                              )
                            }
                          />
                          <ListItemSecondaryAction>
                            <WhyDisabled reason={reason}>
                              <Button
                                size="small"
                                color="primary"
                                onClick={() => openForm(tier.id)}
                                disabled={Boolean(reason)}
                                aria-label={
                                  hasTier
                                    ? `You have ${tier.name}`
                                    : `Request ${tier.name}`
                                }
                              >
                                {hasTier ? 'You have it' : 'Request'}
                              </Button>
                            </WhyDisabled>
                          </ListItemSecondaryAction>
                        </ListItem>
                      );
                    })}
                  </List>
                )}
              </InfoCard>
            </Grid>
          </Grid>
        </Grid>
        <Grid item xs={12} md={4}>
          <Grid container spacing={3} direction="column">
            <Grid item>
              <YourAccess app={app} onRequest={() => openForm()} />
            </Grid>
            <Grid item>
              <WhoUsesIt appId={app.id} />
            </Grid>
          </Grid>
        </Grid>
      </Grid>

      <RequestForm
        app={app}
        open={form.open}
        initialTierId={form.tierId}
        heldTierIds={held}
        pendingTierIds={pendingTierId ? [pendingTierId] : undefined}
        onClose={() => setForm({ open: false })}
      />
    </Content>
  );
};
