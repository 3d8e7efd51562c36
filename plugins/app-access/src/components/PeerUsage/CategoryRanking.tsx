import { memo, useMemo, useState } from 'react';
import { Link } from '@backstage/core-components';
import {
  configApiRef,
  useApiHolder,
  useRouteRef,
} from '@backstage/core-plugin-api';
import { Button, makeStyles, Paper, Typography } from '@material-ui/core';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import {
  categoryTools,
  peerCounts,
  rankByPeerUse,
  roleLabel,
  teammatesLabel,
} from '../../lib/peers';
import { appRouteRef } from '../../routes';
import { AppBadge } from '../AppBadge';

/** Entries shown before "Show all". */
export const RANKING_TOP = 5;

const useStyles = makeStyles(theme => ({
  root: {
    padding: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  list: {
    margin: theme.spacing(1, 0, 0),
    paddingLeft: theme.spacing(3),
  },
  item: {
    padding: theme.spacing(0.5, 0),
  },
  entry: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
}));

export type CategoryRankingProps = {
  category: string;
  /** The catalog; only the category's apps are ranked. */
  apps: CatalogApp[];
};

function usage(app: CatalogApp): string {
  const { team, role } = peerCounts(app);
  return [team > 0 && teammatesLabel(team), role > 0 && roleLabel(role)]
    .filter(Boolean)
    .join(' · ');
}

/**
 * A category's apps ranked by use on the caller's team, then in their role:
 * "Project management tools at Acme, by use on your team". Renders nothing
 * when nobody around the caller uses any of them.
 */
export const CategoryRanking = memo(
  ({ category, apps }: CategoryRankingProps) => {
    const classes = useStyles();
    const appRoute = useRouteRef(appRouteRef);
    const organization = useApiHolder()
      .get(configApiRef)
      ?.getOptionalString('organization.name');
    const [showAll, setShowAll] = useState(false);
    const ranked = useMemo(
      () => rankByPeerUse(apps.filter(app => app.category === category)),
      [apps, category],
    );
    if (ranked.length === 0) {
      return null;
    }
    const shown = showAll ? ranked : ranked.slice(0, RANKING_TOP);
    const title = `${categoryTools(category)}${
      organization ? ` at ${organization}` : ''
    }, by use on your team`;
    const titleId = 'app-access-category-ranking-title';
    return (
      <Paper
        component="section"
        variant="outlined"
        className={classes.root}
        aria-labelledby={titleId}
        data-testid="category-ranking"
      >
        <Typography variant="h6" component="h2" id={titleId}>
          {title}
        </Typography>
        <ol className={classes.list} aria-labelledby={titleId}>
          {shown.map(app => (
            <li key={app.id} className={classes.item}>
              <span className={classes.entry}>
                <Link to={appRoute({ appId: app.id })}>{app.name}</Link>
                <Typography
                  variant="body2"
                  color="textSecondary"
                  component="span"
                >
                  {usage(app)}
                </Typography>
                <AppBadge app={app} />
              </span>
            </li>
          ))}
        </ol>
        {ranked.length > RANKING_TOP && (
          <Button size="small" onClick={() => setShowAll(v => !v)}>
            {showAll ? `Show top ${RANKING_TOP}` : `Show all ${ranked.length}`}
          </Button>
        )}
      </Paper>
    );
  },
);
CategoryRanking.displayName = 'CategoryRanking';
