import { ReactNode } from 'react';
import { InfoCard } from '@backstage/core-components';
import {
  Box,
  Button,
  Chip,
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
import {
  IntegrationStatus,
  SettingsResponse,
} from '@app-access/plugin-app-access-common';
import { EntityRefPicker, EntityRefsPicker } from '../EntityRefPicker';
import { ModuleTestButton } from '../ModuleTestButton';
import { HEX_COLOUR } from '../lib/validation';
import { notConfiguredNote } from '../lib/integrationNote';
import { Setting, SettingTextField } from './SettingField';
import {
  SectionProps,
  SettingsSection,
  useSettingsSection,
} from './useSettingsSection';

const useStyles = makeStyles(theme => ({
  footer: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginTop: theme.spacing(3),
  },
  status: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    margin: theme.spacing(1, 0),
  },
  swatch: {
    width: 24,
    height: 24,
    borderRadius: 4,
    border: `1px solid ${theme.palette.divider}`,
  },
  sub: {
    marginTop: theme.spacing(3),
  },
}));

type Integration = 'email' | 'slack' | 'msteams' | 'okta' | 'jira' | 'zendesk';

const SectionCard = ({
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
              {section.general}
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

// ---------------------------------------------------------------- defaults

const METHODS: Array<{ id: string; label: string; integration?: Integration }> =
  [
    { id: 'portal', label: 'In the portal (the Approvals inbox)' },
    { id: 'slack', label: 'Slack', integration: 'slack' },
    { id: 'email', label: 'Email', integration: 'email' },
    { id: 'msteams', label: 'Microsoft Teams', integration: 'msteams' },
  ];

function channelNote(
  settings: SettingsResponse,
  integration: Integration | undefined,
): string | undefined {
  if (!integration) {
    return undefined;
  }
  const status = settings.integrations?.[integration];
  const installed =
    status?.installed || settings.modules?.notifiers?.includes(integration);
  if (!installed) {
    return 'module not installed';
  }
  if (!status?.configured) {
    return notConfiguredNote(status) ?? 'not configured in app-config';
  }
  return undefined;
}

export const DefaultsSection = (props: SectionProps) => {
  const { settings } = props;
  const section = useSettingsSection(
    'Default settings',
    ['approvalMethod', 'defaultApprovers', 'fallbackApprover', 'reminders'],
    props,
  );
  const { form, set, errors } = section;
  return (
    <SectionCard
      title="Default settings"
      subheader="How approvers are asked, who decides when an app names nobody, and reminders"
      section={section}
    >
      <Setting settingKey="approvalMethod" section={section}>
        <FormControl
          component="fieldset"
          error={Boolean(errors.approvalMethod)}
        >
          <FormLabel component="legend">How approvers are asked</FormLabel>
          <RadioGroup
            aria-label="Approval method"
            name="approvalMethod"
            value={form.approvalMethod}
            onChange={e => set('approvalMethod', e.target.value)}
          >
            {METHODS.map(m => {
              const note = channelNote(settings, m.integration);
              return (
                <FormControlLabel
                  key={m.id}
                  value={m.id}
                  control={<Radio />}
                  disabled={Boolean(note)}
                  label={note ? `${m.label} (${note})` : m.label}
                />
              );
            })}
          </RadioGroup>
          <FormHelperText>
            {errors.approvalMethod ??
              'Channels whose backend module is missing or not configured cannot be chosen. Approvers can always answer in the portal.'}
          </FormHelperText>
        </FormControl>
      </Setting>

      <Setting settingKey="defaultApprovers" section={section}>
        <EntityRefsPicker
          id="app-access-settings-default-approvers"
          label="Default approvers"
          kinds={['User', 'Group']}
          value={form.defaultApprovers}
          onChange={refs => set('defaultApprovers', refs)}
          error={errors.defaultApprovers}
          helperText="Decide a level that names no approvers. Pick users or groups, or type an entity ref and press Enter."
        />
      </Setting>

      <Setting settingKey="fallbackApprover" section={section}>
        <EntityRefPicker
          id="app-access-settings-fallback-approver"
          label="Fallback approver"
          kinds={['User', 'Group']}
          value={form.fallbackApprover}
          onChange={ref => set('fallbackApprover', ref)}
          error={errors.fallbackApprover}
          helperText="Asked when a level's approvers cannot be reached (or only the requester is left). Empty: app-config's value."
        />
      </Setting>

      <Setting settingKey="reminders" section={section}>
        <Grid container spacing={2}>
          <Grid item xs={12} sm={6}>
            <SettingTextField
              section={section}
              field="reminders.intervalHours"
              id="app-access-settings-reminder-interval"
              label="Hours between reminders"
              type="number"
              inputProps={{ min: 1, max: 720, step: 1 }}
            />
          </Grid>
          <Grid item xs={12} sm={6}>
            <SettingTextField
              section={section}
              field="reminders.maxCount"
              id="app-access-settings-reminder-max"
              label="Reminders at most"
              type="number"
              inputProps={{ min: 0, max: 20, step: 1 }}
              hint="After the last one the fallback approver is asked."
            />
          </Grid>
        </Grid>
      </Setting>
    </SectionCard>
  );
};

// ------------------------------------------------------------- fulfillment

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
  const system = form['ticketing.system'];
  const systemIntegration = SYSTEMS.find(s => s.id === system)?.integration;
  const systemStatus =
    systemIntegration && settings.integrations?.[systemIntegration];
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

export const PeersSection = (props: SectionProps) => {
  const section = useSettingsSection('Peer usage privacy', ['peers'], props);
  const { form, set } = section;
  return (
    <SectionCard
      title="Peer usage privacy"
      subheader="What app pages say about who else uses an app"
      section={section}
    >
      <Setting settingKey="peers" section={section}>
        <Grid container spacing={2}>
          <Grid item xs={12} sm={6}>
            <FormControl component="fieldset">
              <FormLabel component="legend">“Similar role” means</FormLabel>
              <RadioGroup
                aria-label="Similar role means"
                name="peers.roleBasis"
                value={form['peers.roleBasis']}
                onChange={e => set('peers.roleBasis', e.target.value)}
              >
                <FormControlLabel
                  value="title"
                  control={<Radio />}
                  label="The same job title"
                />
                <FormControlLabel
                  value="department"
                  control={<Radio />}
                  label="The same department"
                />
              </RadioGroup>
            </FormControl>
          </Grid>
          <Grid item xs={12} sm={6}>
            <FormControl component="fieldset">
              <FormLabel component="legend">Show names of</FormLabel>
              <RadioGroup
                aria-label="Show names of"
                name="peers.showNames"
                value={form['peers.showNames']}
                onChange={e => set('peers.showNames', e.target.value)}
              >
                <FormControlLabel
                  value="none"
                  control={<Radio />}
                  label="Nobody: counts only"
                />
                <FormControlLabel
                  value="team"
                  control={<Radio />}
                  label="Teammates only"
                />
                <FormControlLabel
                  value="all"
                  control={<Radio />}
                  label="Everyone"
                />
              </RadioGroup>
            </FormControl>
          </Grid>
        </Grid>
      </Setting>
    </SectionCard>
  );
};

// ---------------------------------------------------------------- branding

export const BrandingSection = (props: SectionProps) => {
  const classes = useStyles();
  const section = useSettingsSection('Branding', ['branding'], props);
  const { form } = section;
  const colour = form['branding.accentColor'].trim();
  return (
    <SectionCard
      title="Branding"
      subheader="Co-branding of the App Access pages and messages"
      section={section}
    >
      <Setting settingKey="branding" section={section}>
        <SettingTextField
          section={section}
          field="branding.title"
          id="app-access-settings-brand-title"
          label="Title"
          placeholder="Apps"
        />
        <SettingTextField
          section={section}
          field="branding.logoUrl"
          id="app-access-settings-brand-logo"
          label="Logo URL"
          type="url"
          placeholder="https://"
        />
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <SettingTextField
            section={section}
            field="branding.accentColor"
            id="app-access-settings-brand-colour"
            label="Accent colour"
            placeholder="#1f5493"
            hint="A hex colour such as #1f5493"
            fullWidth={false}
          />
          {HEX_COLOUR.test(colour) && (
            <span
              className={classes.swatch}
              style={{ backgroundColor: colour }}
              aria-hidden
            />
          )}
        </Box>
      </Setting>
    </SectionCard>
  );
};
