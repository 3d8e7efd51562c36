import { Box, Grid, makeStyles, Typography } from '@material-ui/core';
import { IntegrationStatus } from '@app-access/plugin-app-access-common';
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

/** How Teams is set up: the bot (decide in a 1:1 chat) and/or a channel webhook. */
function teamsSentence(teams: IntegrationStatus | undefined): string {
  if (!teams?.configured) {
    return 'No Teams bot or webhook configured in app-config: set appAccess.msteams.bot to approve in a 1:1 chat with the App Access bot, or appAccess.msteams.webhookUrl for channel cards only.';
  }
  if (teams.details?.bot) {
    return teams.details.channelWebhook
      ? 'Teams bot configured in app-config: approvers decide in a 1:1 chat with the bot; cards are also posted to a channel through the webhook.'
      : 'Teams bot configured in app-config: approvers decide in a 1:1 chat with the bot.';
  }
  return 'Teams webhook configured in app-config: cards in one channel link to the portal; nobody can decide in Teams (set appAccess.msteams.bot for that).';
}

/** What "Send test" does for Teams: the bot messages you, the webhook posts nothing. */
function teamsTestHint(teams: IntegrationStatus | undefined) {
  if (!teams?.configured) return undefined;
  return teams.details?.bot
    ? 'Sends a test card to your own 1:1 chat with the App Access bot in Teams: add the App Access app in Teams for yourself first.'
    : 'Checks the webhook URL; posts nothing to the channel.';
}

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
          <IntegrationLine name="Microsoft Teams" status={teams} />
          <Typography variant="body2" data-testid="teams-webhook">
            {teamsSentence(teams)}
          </Typography>
          <ModuleTestButton
            kind="notifier"
            moduleId="msteams"
            name="Microsoft Teams"
            installed={notifiers.includes('msteams')}
            status={settings.integrations?.msteams}
            hint={teamsTestHint(teams)}
          />
        </Box>
      </Setting>
    </SectionCard>
  );
};

// ------------------------------------------------------------------- peers
