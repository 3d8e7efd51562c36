import { Chip, makeStyles, Theme } from '@material-ui/core';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ScheduleIcon from '@material-ui/icons/Schedule';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import { appBadge } from '../../lib/apps';

const useStyles = makeStyles((theme: Theme) => ({
  have: {
    color: theme.palette.getContrastText(theme.palette.status.ok),
    backgroundColor: theme.palette.status.ok,
  },
  haveIcon: {
    color: 'inherit',
  },
}));

/** "Requested" or "You have it", from the caller's request for the app. */
export const AppBadge = ({ app }: { app: CatalogApp }) => {
  const classes = useStyles();
  const badge = appBadge(app);
  if (badge === 'have') {
    return (
      <Chip
        size="small"
        className={classes.have}
        icon={<CheckCircleIcon className={classes.haveIcon} />}
        label="You have it"
      />
    );
  }
  if (badge === 'requested') {
    return (
      <Chip
        size="small"
        color="primary"
        variant="outlined"
        icon={<ScheduleIcon />}
        label="Requested"
      />
    );
  }
  return null;
};
