import {
  FormControl,
  FormControlLabel,
  FormLabel,
  Radio,
  RadioGroup,
} from '@material-ui/core';
import { Setting } from '../SettingField';
import { SectionProps, useSettingsSection } from '../useSettingsSection';
import { SectionCard } from './SectionCard';

/** Who a person may request access for besides themselves. */
export const OnBehalfSection = (props: SectionProps) => {
  const section = useSettingsSection(
    'Requests for someone else',
    ['onBehalf'],
    props,
  );
  const { form, set } = section;
  return (
    <SectionCard
      title="Requests for someone else"
      subheader="Approvals always follow the person who gets the access: their manager, their groups"
      section={section}
    >
      <Setting settingKey="onBehalf" section={section}>
        <FormControl component="fieldset">
          <FormLabel component="legend">
            People may request access for
          </FormLabel>
          <RadioGroup
            aria-label="People may request access for"
            name="onBehalf"
            value={form.onBehalf}
            onChange={e => set('onBehalf', e.target.value)}
          >
            <FormControlLabel
              value="off"
              control={<Radio />}
              label="Themselves only"
            />
            <FormControlLabel
              value="reports"
              control={<Radio />}
              label="Their direct reports (managers for their team)"
            />
            <FormControlLabel
              value="anyone"
              control={<Radio />}
              label="Anyone in the directory"
            />
          </RadioGroup>
        </FormControl>
      </Setting>
    </SectionCard>
  );
};
