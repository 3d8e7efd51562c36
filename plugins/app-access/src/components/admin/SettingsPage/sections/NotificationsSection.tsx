import { Box, Grid, makeStyles, Typography } from '@material-ui/core';
import { ModuleTestButton } from '../../ModuleTestButton';
import { Setting, SettingTextField } from '../SettingField';
import { SectionProps, useSettingsSection } from '../useSettingsSection';
import { SectionCard } from './SectionCard';
import { IntegrationLine } from './IntegrationLine';

const useStyles = makeStyles(theme => ({
  sub: {
    marginTop: theme.spacing(3),
  },
}));

export const NotificationsSection = (props: SectionProps) => {
  const classes = useStyles();
  const { settings } = props;
  const section = useSettingsSection('Notifications', ['notifications'], props);
  const notifiers = settings.modules?.notifiers ?? [];
  const teams = settings.integrations?.msteams;
  return (
    <SectionCard
      title="Notifications"
      subheader="Who messages come from, and where; secrets stay in app-config"
      section={section}
    >
      <Setting
        settingKey="notifications"
        section={section}
        label="Senders and channels"
      >
        <Box className={classes.sub}>
          <Typography variant="subtitle2">Email</Typography>
          <IntegrationLine name="Email" status={settings.integrations?.email} />
          <Grid container spacing={2}>
            <Grid item xs={12} sm={6}>
              <SettingTextField
                section={section}
                field="notifications.emailFromName"
                id="app-access-settings-from-name"
                label="From name"
              />
            </Grid>
            <Grid item xs={12} sm={6}>
              <SettingTextField
                section={section}
                field="notifications.emailFromAddress"
                id="app-access-settings-from-address"
                label="From address"
                type="email"
              />
            </Grid>
          </Grid>
          <ModuleTestButton
            kind="notifier"
            moduleId="email"
            name="Email"
            installed={notifiers.includes('email')}
            status={settings.integrations?.email}
          />
        </Box>
        <Box className={classes.sub}>
          <Typography variant="subtitle2">Slack</Typography>
          <IntegrationLine name="Slack" status={settings.integrations?.slack} />
          <SettingTextField
            section={section}
            field="notifications.slackChannel"
            id="app-access-settings-slack-channel"
            label="Slack channel"
            placeholder="#it-requests"
            hint="Also receives new requests and decisions. A name such as #it-requests or a channel id."
          />
          <ModuleTestButton
            kind="notifier"
            moduleId="slack"
            name="Slack"
            installed={notifiers.includes('slack')}
            status={settings.integrations?.slack}
          />
        </Box>
        <Box className={classes.sub}>
          <Typography variant="subtitle2">Microsoft Teams</Typography>
          <Typography variant="body2" data-testid="teams-webhook">
            {teams?.configured
              ? 'Teams webhook configured in app-config.'
              : 'No Teams webhook configured in app-config.'}
          </Typography>
          <ModuleTestButton
            kind="notifier"
            moduleId="msteams"
            name="Microsoft Teams"
            installed={notifiers.includes('msteams')}
            status={settings.integrations?.msteams}
          />
        </Box>
      </Setting>
    </SectionCard>
  );
};

// ------------------------------------------------------------------- peers
