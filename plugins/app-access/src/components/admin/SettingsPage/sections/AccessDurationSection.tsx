import { Grid } from '@material-ui/core';
import { Setting, SettingTextField } from '../SettingField';
import { SectionProps, useSettingsSection } from '../useSettingsSection';
import { SectionCard } from './SectionCard';

/** How long access lasts: default and maximum duration, and the notice before the end. */
export const AccessDurationSection = (props: SectionProps) => {
  const section = useSettingsSection('Access with an end', ['access'], props);
  return (
    <SectionCard
      title="Access with an end"
      subheader="How long time-bound access lasts and when its holder is told it ends"
      section={section}
    >
      <Setting settingKey="access" section={section}>
        <Grid container spacing={2}>
          <Grid item xs={12} sm={4}>
            <SettingTextField
              section={section}
              field="access.defaultDurationDays"
              id="app-access-settings-default-duration"
              label="Default duration (days)"
              type="number"
              inputProps={{ min: 1, max: 3650, step: 1 }}
              hint="Not longer than the maximum. Empty: none."
            />
          </Grid>
          <Grid item xs={12} sm={4}>
            <SettingTextField
              section={section}
              field="access.maxDurationDays"
              id="app-access-settings-max-duration"
              label="Maximum duration (days)"
              type="number"
              inputProps={{ min: 1, max: 3650, step: 1 }}
              hint="Caps every tier's own maximum. Empty: no cap."
            />
          </Grid>
          <Grid item xs={12} sm={4}>
            <SettingTextField
              section={section}
              field="access.expiryNoticeDays"
              id="app-access-settings-notice-days"
              label="Notice before the end (days)"
              type="number"
              inputProps={{ min: 0, max: 365, step: 1 }}
              hint="The holder is told, with Extend. 0: no notice."
            />
          </Grid>
        </Grid>
      </Setting>
    </SectionCard>
  );
};
