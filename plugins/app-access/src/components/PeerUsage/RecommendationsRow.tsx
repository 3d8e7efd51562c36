import { memo } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  Card,
  CardActionArea,
  CardContent,
  makeStyles,
  Typography,
} from '@material-ui/core';
import PeopleIcon from '@material-ui/icons/People';
import { Recommendation } from '@app-access/plugin-app-access-common';
import { appRouteRef } from '../../routes';
import { AppLogo } from '../AppLogo';

const useStyles = makeStyles(theme => ({
  root: {
    marginBottom: theme.spacing(3),
  },
  list: {
    display: 'flex',
    gap: theme.spacing(2),
    overflowX: 'auto',
    scrollSnapType: 'x proximity',
    listStyle: 'none',
    margin: 0,
    padding: theme.spacing(0.5, 0.5, 1),
  },
  item: {
    flex: '0 0 240px',
    scrollSnapAlign: 'start',
  },
  card: {
    height: '100%',
  },
  action: {
    height: '100%',
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: -2,
    },
  },
  title: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
    marginBottom: theme.spacing(1),
  },
  name: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  reason: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
}));

export type RecommendationsRowProps = {
  items: Recommendation[];
  title?: string;
};

/**
 * "Popular with your team": what the caller's peers use and they don't,
 * as a row of cards that scrolls sideways. Renders nothing when empty.
 */
export const RecommendationsRow = memo(
  ({ items, title = 'Popular with your team' }: RecommendationsRowProps) => {
    const classes = useStyles();
    const appRoute = useRouteRef(appRouteRef);
    if (items.length === 0) {
      return null;
    }
    return (
      <section
        className={classes.root}
        aria-labelledby="app-access-recommendations-title"
      >
        <Typography
          variant="h6"
          component="h2"
          id="app-access-recommendations-title"
          gutterBottom
        >
          {title}
        </Typography>
        <ul
          className={classes.list}
          aria-labelledby="app-access-recommendations-title"
        >
          {items.map(item => (
            <li key={item.appId} className={classes.item}>
              <Card className={classes.card} variant="outlined">
                <CardActionArea
                  component={RouterLink}
                  to={appRoute({ appId: item.appId })}
                  className={classes.action}
                  data-testid={`recommendation-${item.appId}`}
                >
                  <CardContent>
                    <div className={classes.title}>
                      <AppLogo app={item.app} size="small" />
                      <div>
                        <Typography
                          variant="subtitle1"
                          component="h3"
                          className={classes.name}
                        >
                          {item.app.name}
                        </Typography>
                        <Typography variant="caption" color="textSecondary">
                          {item.app.category}
                        </Typography>
                      </div>
                    </div>
                    <Typography
                      variant="body2"
                      color="textSecondary"
                      className={classes.reason}
                    >
                      <PeopleIcon fontSize="small" aria-hidden />
                      {item.reason}
                    </Typography>
                  </CardContent>
                </CardActionArea>
              </Card>
            </li>
          ))}
        </ul>
      </section>
    );
  },
);
RecommendationsRow.displayName = 'RecommendationsRow';
