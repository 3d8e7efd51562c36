import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { Box, makeStyles, Paper, Typography } from '@material-ui/core';
import { PendingApproval } from '@app-access/plugin-app-access-common';
import { formatDay, formatDuration } from '../../lib/format';
import { requestRouteRef } from '../../routes';
import { ClampedText } from '../ClampedText';
import { Decision } from '../DecisionDialog';
import { RequestParties } from '../RequestParties';
import { DecisionButtons } from './DecisionButtons';

const useStyles = makeStyles(theme => ({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'grid',
    gap: theme.spacing(1.5),
  },
  card: {
    padding: theme.spacing(1.5, 2),
  },
  actions: {
    marginTop: theme.spacing(1.5),
  },
}));

/**
 * The inbox on a phone-sized screen: one card per request, the buttons under
 * its text, where a table row would push them out of sight.
 */
export const ApprovalCards = ({
  tasks,
  onDecide,
}: {
  tasks: PendingApproval[];
  onDecide: (task: PendingApproval, decision: Decision) => void;
}) => {
  const classes = useStyles();
  const requestRoute = useRouteRef(requestRouteRef);
  return (
    <Box>
      <Typography variant="h6" component="h2" gutterBottom>
        Waiting for your decision ({tasks.length})
      </Typography>
      <ul className={classes.list} aria-label="Waiting for your decision">
        {tasks.map(task => (
          <Paper component="li" key={task.id} className={classes.card}>
            <Typography variant="subtitle1">
              <Link to={requestRoute({ requestId: task.request.id })}>
                {task.request.appName}
              </Link>
              {task.request.tierName && ` · ${task.request.tierName}`}
            </Typography>
            <Typography variant="body2" color="textSecondary">
              <RequestParties request={task.request} /> · waiting{' '}
              {formatDuration(task.createdAt)} · level {task.level}
              {task.fallback && ' as fallback approver'}
            </Typography>
            <ClampedText text={task.request.justification ?? '—'} />
            {task.seatWarning && (
              <Typography variant="body2" color="error">
                {task.seatWarning}
              </Typography>
            )}
            {task.request.neededBy && (
              <Typography variant="caption" color="textSecondary">
                Needed by {formatDay(task.request.neededBy)}
              </Typography>
            )}
            <Box className={classes.actions}>
              <DecisionButtons
                task={task}
                onDecide={decision => onDecide(task, decision)}
              />
            </Box>
          </Paper>
        ))}
      </ul>
    </Box>
  );
};
