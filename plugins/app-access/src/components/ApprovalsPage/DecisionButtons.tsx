import { Box, Button, makeStyles } from '@material-ui/core';
import { PendingApproval } from '@app-access/plugin-app-access-common';
import { Decision } from '../DecisionDialog';
import { useEntityDisplayName } from '../EntityName';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    gap: theme.spacing(1),
    whiteSpace: 'nowrap',
    flexShrink: 0,
  },
}));

/** Approve and Deny for one request, labelled with the requester's name. */
export const DecisionButtons = ({
  task,
  onDecide,
}: {
  task: PendingApproval;
  onDecide: (decision: Decision) => void;
}) => {
  const classes = useStyles();
  // Named for the person who gets the access (the requester unless filed for them).
  const who = useEntityDisplayName(
    task.request.grantee ?? task.request.requester,
  );
  const label = `${task.request.appName} for ${who}`;
  return (
    <Box className={classes.actions}>
      <Button
        size="small"
        variant="contained"
        color="primary"
        aria-label={`Approve ${label}`}
        onClick={() => onDecide('approve')}
      >
        Approve
      </Button>
      <Button
        size="small"
        variant="outlined"
        aria-label={`Deny ${label}`}
        onClick={() => onDecide('deny')}
      >
        Deny
      </Button>
    </Box>
  );
};
