import {
  FormControl,
  FormControlLabel,
  FormLabel,
  Grid,
  Radio,
  RadioGroup,
} from '@material-ui/core';
import { Setting } from '../SettingField';
import { SectionProps, useSettingsSection } from '../useSettingsSection';
import { SectionCard } from './SectionCard';

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
