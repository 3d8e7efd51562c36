import { Box, Chip, makeStyles, Typography } from '@material-ui/core';
import { IntegrationStatus } from '@app-access/plugin-app-access-common';
import { notConfiguredNote } from '../../lib/integrationNote';

const useStyles = makeStyles(theme => ({
  status: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    margin: theme.spacing(1, 0),
  },
}));

/** The integrations the settings page knows how to show. */
export type Integration =
  | 'email'
  | 'slack'
  | 'msteams'
  | 'okta'
  | 'jira'
  | 'zendesk';

/** Installed / configured chips and the non-secret facts of an integration. */
export const IntegrationLine = ({
  name,
  status,
}: {
  name: string;
  status: IntegrationStatus | undefined;
}) => {
  const classes = useStyles();
  if (!status) {
    return null;
  }
  const details = Object.entries(status.details ?? {});
  const notConfigured = notConfiguredNote(status);
  return (
    <Box className={classes.status} data-testid={`integration-${name}`}>
      <Typography variant="body2">{name}:</Typography>
      {notConfigured ? (
        <Chip size="small" variant="outlined" label={notConfigured} />
      ) : (
        <>
          <Chip
            size="small"
            variant="outlined"
            label={
              status.installed ? 'module installed' : 'module not installed'
            }
          />
          <Chip
            size="small"
            variant="outlined"
            label={
              status.configured ? 'configured in app-config' : 'not configured'
            }
          />
        </>
      )}
      {details.map(([key, value]) => (
        <Typography key={key} variant="caption" color="textSecondary">
          {key}: {String(value === true ? 'yes' : value || 'no')}
        </Typography>
      ))}
    </Box>
  );
};
