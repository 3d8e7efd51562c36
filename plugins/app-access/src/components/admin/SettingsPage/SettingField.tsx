import { ReactNode } from 'react';
import { TextField } from '@material-ui/core';
import { SettingsField, SettingsForm, SettingsKey } from '../lib/settingsForm';
import { SettingHeading } from './SourceChip';
import { SettingsSection } from './useSettingsSection';

export type SettingProps = {
  settingKey: SettingsKey;
  section: SettingsSection;
  /** Instead of the setting's usual name. */
  label?: string;
  /** The setting's fields. */
  children: ReactNode;
};

/**
 * One setting of a section: its heading (name, where the value comes from,
 * "Reset to app-config") and then its fields.
 */
export const Setting = ({
  settingKey,
  section,
  label,
  children,
}: SettingProps) => (
  <>
    <SettingHeading
      settingKey={settingKey}
      settings={section.settings}
      section={section}
      label={label}
    />
    {children}
  </>
);

/** The settings form's text fields. */
type TextSettingsField = {
  [F in SettingsField]: SettingsForm[F] extends string ? F : never;
}[SettingsField];

export type SettingTextFieldProps = {
  section: SettingsSection;
  field: TextSettingsField;
  id: string;
  label: string;
  /** Shown under the field while it has no error. */
  hint?: string;
  type?: string;
  placeholder?: string;
  inputProps?: Record<string, unknown>;
  /** Default true. */
  fullWidth?: boolean;
};

/** A text field bound to a section's form field, with its error (or hint) underneath. */
export const SettingTextField = ({
  section,
  field,
  id,
  label,
  hint,
  type,
  placeholder,
  inputProps,
  fullWidth = true,
}: SettingTextFieldProps) => (
  <TextField
    id={id}
    label={label}
    type={type}
    placeholder={placeholder}
    inputProps={inputProps}
    value={section.form[field]}
    onChange={e => section.set(field, e.target.value)}
    fullWidth={fullWidth}
    margin="normal"
    error={Boolean(section.errors[field])}
    helperText={section.errors[field] ?? hint}
  />
);
