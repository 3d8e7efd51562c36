import { makeStyles } from '@material-ui/core';
import PeopleIcon from '@material-ui/icons/People';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import { peerCounts, roleLabel, teammatesLabel } from '../../lib/peers';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    ...theme.typography.caption,
    color: theme.palette.text.secondary,
  },
  icon: {
    fontSize: '1rem',
  },
  badge: {
    padding: theme.spacing(0, 0.75),
    borderRadius: 10,
    border: `1px solid ${theme.palette.divider}`,
    whiteSpace: 'nowrap',
  },
}));

export type PeerUsageBadgesProps = {
  app: Pick<CatalogApp, 'name' | 'peers'>;
  className?: string;
};

/**
 * "5 teammates" / "12 in your role" for an app, each only when someone uses
 * it. Renders nothing when nobody does (or the backend sends no counts).
 * Plain elements with a native tooltip (`title`) rather than MUI Chips and
 * Tooltips: a catalog renders hundreds of these and typing re-filters them.
 */
export const PeerUsageBadges = ({ app, className }: PeerUsageBadgesProps) => {
  const classes = useStyles();
  const { team, role } = peerCounts(app);
  if (team <= 0 && role <= 0) {
    return null;
  }
  return (
    <div
      className={className ? `${classes.root} ${className}` : classes.root}
      data-testid="peer-usage"
    >
      <PeopleIcon className={classes.icon} aria-hidden />
      {team > 0 && (
        <span
          className={classes.badge}
          title={`${team} ${
            team === 1 ? 'member' : 'members'
          } of your groups use ${app.name}`}
        >
          {teammatesLabel(team)}
        </span>
      )}
      {role > 0 && (
        <span
          className={classes.badge}
          title={`${role} ${
            role === 1 ? 'person' : 'people'
          } with your title (or department) use ${app.name}`}
        >
          {roleLabel(role)}
        </span>
      )}
    </div>
  );
};
