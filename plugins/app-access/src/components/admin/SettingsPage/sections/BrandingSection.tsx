import { Box, makeStyles } from '@material-ui/core';
import { HEX_COLOUR } from '../../lib/validation';
import { Setting, SettingTextField } from '../SettingField';
import { SectionProps, useSettingsSection } from '../useSettingsSection';
import { SectionCard } from './SectionCard';

const useStyles = makeStyles(theme => ({
  swatch: {
    width: 24,
    height: 24,
    borderRadius: 4,
    border: `1px solid ${theme.palette.divider}`,
  },
}));

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
