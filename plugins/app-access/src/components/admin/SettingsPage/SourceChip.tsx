import { Box, Button, Chip, makeStyles, Typography } from '@material-ui/core';
import { SettingsResponse } from '@app-access/plugin-app-access-common';
import { SettingsKey, SOURCE_LABELS } from '../lib/settingsForm';
import { KEY_LABELS, SettingsSection } from './useSettingsSection';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(2),
  },
  changed: {
    backgroundColor: theme.palette.info?.main ?? theme.palette.primary.main,
    color: theme.palette.common.white,
  },
}));

export type SourceChipProps = {
  settingKey: SettingsKey;
  source: SettingsResponse['sources'][SettingsKey] | undefined;
};

/** Where a setting's value comes from: app-config, this page, or the built-in default. */
export const SourceChip = ({ settingKey, source }: SourceChipProps) => {
  const classes = useStyles();
  if (!source) {
    return null;
  }
  return (
    <Chip
      size="small"
      variant={source === 'database' ? 'default' : 'outlined'}
      className={source === 'database' ? classes.changed : undefined}
      label={SOURCE_LABELS[source]}
      data-testid={`source-${settingKey}`}
    />
  );
};

export type SettingHeadingProps = {
  settingKey: SettingsKey;
  settings: SettingsResponse;
  section: SettingsSection;
  label?: string;
};

/** A setting's name, its source chip, and "Reset to app-config" when it was changed here. */
export const SettingHeading = ({
  settingKey,
  settings,
  section,
  label,
}: SettingHeadingProps) => {
  const classes = useStyles();
  const source = settings.sources?.[settingKey];
  const name = label ?? KEY_LABELS[settingKey];
  return (
    <Box className={classes.row}>
      <Typography variant="subtitle1" component="h3">
        {name}
      </Typography>
      <SourceChip settingKey={settingKey} source={source} />
      {source === 'database' && (
        <Button
          size="small"
          onClick={() => section.reset(settingKey)}
          disabled={section.busy}
          aria-label={`Reset ${name} to app-config`}
        >
          Reset to app-config
        </Button>
      )}
    </Box>
  );
};
