import { memo } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import {
  Box,
  Card,
  CardActionArea,
  CardContent,
  CardHeader,
  Chip,
  makeStyles,
  Typography,
} from '@material-ui/core';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import { AppLogo } from '../AppLogo';
import { AppBadge } from '../AppBadge';
import { PeerUsageBadges } from '../PeerUsage/PeerUsageBadges';

const useStyles = makeStyles(theme => ({
  card: {
    height: '100%',
  },
  action: {
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'stretch',
    justifyContent: 'flex-start',
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: -2,
    },
  },
  header: {
    paddingBottom: 0,
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    marginBottom: theme.spacing(1),
  },
  description: {
    display: '-webkit-box',
    WebkitLineClamp: 3,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
}));

export type AppCardProps = {
  app: CatalogApp;
  to: string;
};

/**
 * One app in the catalog grid. The whole card is a link, so it is reachable
 * with Tab and opens with Enter like any other link. Memoized because
 * typing in the search box re-renders the grid; unchanged cards are skipped.
 */
export const AppCard = memo(({ app, to }: AppCardProps) => {
  const classes = useStyles();
  return (
    <Card className={classes.card} variant="outlined">
      <CardActionArea
        component={RouterLink}
        to={to}
        className={classes.action}
        data-testid={`app-card-${app.id}`}
      >
        <CardHeader
          className={classes.header}
          avatar={<AppLogo app={app} />}
          title={app.name}
          titleTypographyProps={{ variant: 'h6', component: 'h3' }}
          subheader={app.vendor}
        />
        <CardContent>
          <Box className={classes.chips}>
            <Chip size="small" label={app.category} />
            <AppBadge app={app} />
          </Box>
          <PeerUsageBadges app={app} className={classes.chips} />
          {app.description && (
            <Typography
              variant="body2"
              color="textSecondary"
              className={classes.description}
            >
              {app.description}
            </Typography>
          )}
        </CardContent>
      </CardActionArea>
    </Card>
  );
});
AppCard.displayName = 'AppCard';
