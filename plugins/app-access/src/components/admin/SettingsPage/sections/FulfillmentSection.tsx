import {
  Box,
  FormControl,
  FormControlLabel,
  FormHelperText,
  FormLabel,
  Grid,
  makeStyles,
  Radio,
  RadioGroup,
  Switch,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { ModuleTestButton } from '../../ModuleTestButton';
import { Setting, SettingTextField } from '../SettingField';
import { SectionProps, useSettingsSection } from '../useSettingsSection';
import { SectionCard } from './SectionCard';
import { Integration, IntegrationLine } from './IntegrationLine';
import { notConfiguredNote } from '../../lib/integrationNote';

const useStyles = makeStyles(theme => ({
  sub: {
    marginTop: theme.spacing(3),
  },
}));

const SYSTEMS: Array<{ id: string; label: string; integration?: Integration }> =
  [
    { id: 'jira', label: 'Jira Service Management', integration: 'jira' },
    { id: 'zendesk', label: 'Zendesk', integration: 'zendesk' },
    { id: 'email', label: 'Email to the IT help desk', integration: 'email' },
    { id: 'manual', label: 'Manual: IT marks requests done in the portal' },
  ];

export const FulfillmentSection = (props: SectionProps) => {
  const classes = useStyles();
  const { settings } = props;
  const section = useSettingsSection('Fulfillment', ['ticketing'], props);
  const { form, set, errors } = section;
  const fulfillers = settings.modules?.fulfillers ?? [];
  const systemIntegration = SYSTEMS.find(
    s => s.id === form['ticketing.system'],
  )?.integration;
  const systemStatus =
    systemIntegration && settings.integrations?.[systemIntegration];
  const system = form['ticketing.system'];
  const installed = (id: string) => fulfillers.includes(id);
  const oktaInstalled =
    installed('okta-group') || Boolean(settings.integrations?.okta?.installed);

  return (
    <SectionCard
      title="Fulfillment"
      subheader="How access is granted when Okta cannot do it: the one ticketing system IT works from"
      section={section}
    >
      <Setting
        settingKey="ticketing"
        section={section}
        label="Ticketing system"
      >
        <FormControl
          component="fieldset"
          error={Boolean(errors['ticketing.system'])}
        >
          <FormLabel component="legend">Active ticketing system</FormLabel>
          <RadioGroup
            aria-label="Ticketing system"
            name="ticketing.system"
            value={system}
            onChange={e => set('ticketing.system', e.target.value)}
          >
            {SYSTEMS.map(s => (
              <FormControlLabel
                key={s.id}
                value={s.id}
                control={<Radio />}
                label={
                  s.id !== 'manual' && !installed(s.id)
                    ? `${s.label} (${
                        notConfiguredNote(
                          s.integration &&
                            settings.integrations?.[s.integration],
                        ) ?? 'module not installed'
                      })`
                    : s.label
                }
              />
            ))}
          </RadioGroup>
          {errors['ticketing.system'] && (
            <FormHelperText>{errors['ticketing.system']}</FormHelperText>
          )}
        </FormControl>

        <Box mt={1}>
          <FormControlLabel
            control={
              <Switch
                checked={form['ticketing.auditTickets']}
                onChange={e => set('ticketing.auditTickets', e.target.checked)}
                color="primary"
              />
            }
            label="Audit-trail tickets: also file a record ticket for requests fulfilled through Okta"
          />
        </Box>

        {system === 'jira' && (
          <Box className={classes.sub}>
            <Typography variant="subtitle2">Jira Service Management</Typography>
            <IntegrationLine name="Jira" status={settings.integrations?.jira} />
            <Grid container spacing={2}>
              <Grid item xs={12} sm={6}>
                <SettingTextField
                  section={section}
                  field="ticketing.jira.serviceDeskId"
                  id="app-access-settings-jira-desk"
                  label="Service desk id"
                  hint="The numeric id of the IT service desk"
                />
              </Grid>
              <Grid item xs={12} sm={6}>
                <SettingTextField
                  section={section}
                  field="ticketing.jira.requestTypeId"
                  id="app-access-settings-jira-type"
                  label="Request type id"
                  hint='The numeric id of the "access request" type'
                />
              </Grid>
            </Grid>
          </Box>
        )}

        {system === 'zendesk' && (
          <Box className={classes.sub}>
            <Typography variant="subtitle2">Zendesk</Typography>
            <IntegrationLine
              name="Zendesk"
              status={settings.integrations?.zendesk}
            />
            <Grid container spacing={2}>
              <Grid item xs={12} sm={6}>
                <SettingTextField
                  section={section}
                  field="ticketing.zendesk.groupId"
                  id="app-access-settings-zendesk-group"
                  label="Group id"
                  hint="The numeric id of the group tickets are assigned to"
                />
              </Grid>
              <Grid item xs={12} sm={6}>
                <SettingTextField
                  section={section}
                  field="ticketing.zendesk.tags"
                  id="app-access-settings-zendesk-tags"
                  label="Tags"
                  hint="Separated by commas, e.g. app-access, access-request"
                />
              </Grid>
            </Grid>
          </Box>
        )}

        {system === 'email' && (
          <Box className={classes.sub}>
            <Typography variant="subtitle2">
              Email to the IT help desk
            </Typography>
            <IntegrationLine
              name="Email"
              status={settings.integrations?.email}
            />
            <SettingTextField
              section={section}
              field="ticketing.email.ticketAddress"
              id="app-access-settings-ticket-address"
              label="IT help desk address"
              type="email"
              hint="Where the ticket emails go, e.g. it-help@example.com"
            />
          </Box>
        )}

        {system === 'manual' ? (
          <Box className={classes.sub}>
            <Typography variant="body2" color="textSecondary">
              Nothing to configure: approved requests wait for IT under
              Requests, where an admin marks them fulfilled.
            </Typography>
          </Box>
        ) : (
          <>
            {!installed(system) && (
              <Box mt={2}>
                <Alert severity="warning">
                  {notConfiguredNote(systemStatus)
                    ? `The ${system} fulfiller module is installed but not configured: tickets cannot be filed until it is.`
                    : `The ${system} fulfiller module is not installed in the backend: tickets cannot be filed until it is.`}
                </Alert>
              </Box>
            )}
            <ModuleTestButton
              kind="fulfiller"
              moduleId={system}
              name={SYSTEMS.find(s => s.id === system)?.label ?? system}
              installed={installed(system)}
              status={systemStatus || undefined}
            />
          </>
        )}

        <Box className={classes.sub}>
          <Typography variant="subtitle2">
            Okta (automatic fulfilment)
          </Typography>
          <IntegrationLine name="Okta" status={settings.integrations?.okta} />
          <ModuleTestButton
            kind="fulfiller"
            moduleId="okta-group"
            name="Okta"
            installed={oktaInstalled}
            status={settings.integrations?.okta}
          />
        </Box>
      </Setting>
    </SectionCard>
  );
};

// ----------------------------------------------------------- notifications
