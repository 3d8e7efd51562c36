import { ReactNode } from 'react';
import { InfoCard } from '@backstage/core-components';
import { Box, Button, makeStyles, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { SettingsSection } from '../useSettingsSection';
import { MessageText } from '../../../MessageText';

const useStyles = makeStyles(theme => ({
  footer: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginTop: theme.spacing(3),
  },
}));

/** One settings card: its fields, its error and its own Save button. */
export const SectionCard = ({
  title,
  subheader,
  section,
  children,
}: {
  title: string;
  subheader?: string;
  section: SettingsSection;
  children: ReactNode;
}) => {
  const classes = useStyles();
  const noChanges = section.dirty.length === 0;
  return (
    <InfoCard title={title} subheader={subheader}>
      <form
        aria-label={title}
        noValidate
        onSubmit={e => {
          e.preventDefault();
          section.save();
        }}
      >
        {children}
        {section.general && (
          <Box mt={2}>
            <Alert severity="error" role="alert">
              <MessageText text={section.general} />
            </Alert>
          </Box>
        )}
        <Box className={classes.footer}>
          <Button
            type="submit"
            variant="contained"
            color="primary"
            disabled={section.busy || noChanges}
          >
            {section.busy ? 'Saving…' : `Save ${title.toLocaleLowerCase()}`}
          </Button>
          {noChanges && (
            <Typography variant="body2" color="textSecondary">
              No unsaved changes
            </Typography>
          )}
        </Box>
      </form>
    </InfoCard>
  );
};
