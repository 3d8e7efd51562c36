import {
  FormControl,
  FormControlLabel,
  FormHelperText,
  FormLabel,
  Grid,
  Radio,
  RadioGroup,
} from '@material-ui/core';
import { SettingsResponse } from '@app-access/plugin-app-access-common';
import { EntityRefPicker, EntityRefsPicker } from '../../EntityRefPicker';
import { Setting, SettingTextField } from '../SettingField';
import { SectionProps, useSettingsSection } from '../useSettingsSection';
import { SectionCard } from './SectionCard';
import { notConfiguredNote } from '../../lib/integrationNote';
import { Integration } from './IntegrationLine';

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
