import { Fragment } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { Progress } from '@backstage/core-components';
import { Box, makeStyles, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { appAccessApiRef } from '../../api';
import { getErrorMessage } from '../../lib/errors';
import { EntityName } from '../EntityName';

const useStyles = makeStyles(theme => ({
  root: {
    marginTop: theme.spacing(2),
  },
  // The "Level n:" label numbers the levels; no list markers on top.
  levels: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
}));

/** Who would decide, shown before submitting so nobody is surprised. */
export const ApproverPreviewPanel = ({
  appId,
  tierId,
}: {
  appId: string;
  tierId: string;
}) => {
  const classes = useStyles();
  const api = useApi(appAccessApiRef);
  const preview = useAsync(
    () => api.getApproverPreview(appId, tierId),
    [api, appId, tierId],
  );

  let body;
  if (preview.loading) {
    body = <Progress />;
  } else if (preview.error) {
    body = (
      <Typography variant="body2" color="textSecondary">
        Couldn't look up who approves: {getErrorMessage(preview.error)}
      </Typography>
    );
  } else if (preview.value && !preview.value.needsApproval) {
    body = (
      <Alert severity="success" role="status">
        No approval needed — access is granted right away
      </Alert>
    );
  } else if (preview.value) {
    body = (
      <ul className={classes.levels} aria-label="Approvers">
        {preview.value.levels.map(level => (
          <li key={level.level}>
            <Typography variant="body2" component="span">
              <strong>Level {level.level}:</strong>{' '}
              {level.approvers.length === 0 &&
                (level.awaitsAdmin
                  ? `someone an App Access admin names (nobody decides two levels of one request, and everyone who could decide level ${level.level} decides an earlier one)`
                  : 'the App Access admins')}
              {level.approvers.map((approver, i) => (
                <Fragment key={approver.ref}>
                  {i > 0 && (i === level.approvers.length - 1 ? ' or ' : ', ')}
                  <EntityName
                    entityRef={approver.ref}
                    displayName={approver.displayName}
                    target="_blank"
                  />
                </Fragment>
              ))}
              {level.fallback && ' (standing in as fallback approver)'}
            </Typography>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <Box className={classes.root} aria-live="polite">
      <Typography variant="subtitle2" gutterBottom>
        Who approves
      </Typography>
      {body}
      {preview.value?.seatWarning && (
        <Box mt={1}>
          <Alert severity="warning" data-testid="seat-warning">
            {preview.value.seatWarning}
          </Alert>
        </Box>
      )}
    </Box>
  );
};
