import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { SettingsResponse } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import type { SettingsUpdate } from '../../../api/AppAccessApi';
import { getErrorMessage } from '../../../lib/errors';
import { mapErrorToFields } from '../lib/fieldErrors';
import {
  changedKeys,
  changesBody,
  FIELDS_BY_KEY,
  formFromValues,
  SettingsField,
  SettingsForm,
  SettingsKey,
  validateSettings,
  withKeyFrom,
} from '../lib/settingsForm';
import { Errors } from '../lib/validation';

export type SectionProps = {
  settings: SettingsResponse;
  /** A save or reset went through: the new settings, and what to tell the admin. */
  onSaved: (settings: SettingsResponse, message: string) => void;
};

export const KEY_LABELS: Record<SettingsKey, string> = {
  approvalMethod: 'Approval method',
  defaultApprovers: 'Default approvers',
  fallbackApprover: 'Fallback approver',
  reminders: 'Reminders',
  ticketing: 'Fulfillment',
  notifications: 'Notifications',
  peers: 'Peer usage privacy',
  branding: 'Branding',
  onBehalf: 'Requests for someone else',
  access: 'Access with an end',
};

/**
 * One section of the settings page: its own form over some top-level keys,
 * saved on its own. Only the keys whose value changed are sent, so saving
 * one field does not turn the others into overrides of app-config.
 */
export function useSettingsSection(
  title: string,
  keys: readonly SettingsKey[],
  { settings, onSaved }: SectionProps,
) {
  const api = useApi(appAccessApiRef);
  const [form, setForm] = useState<SettingsForm>(() =>
    formFromValues(settings.values),
  );
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string>();
  const [busy, setBusy] = useState(false);

  const fields = keys.flatMap(k => FIELDS_BY_KEY[k]);
  const dirty = changedKeys(form, settings.values, keys);

  const set = <F extends SettingsField>(field: F, value: SettingsForm[F]) => {
    setForm(f => ({ ...f, [field]: value }));
    setErrors(e => {
      if (!(field in e)) {
        return e;
      }
      const next = { ...e };
      delete next[field];
      return next;
    });
  };

  const save = async () => {
    const found = validateSettings(form, dirty);
    setErrors(found);
    setGeneral(undefined);
    if (Object.keys(found).length > 0 || dirty.length === 0) {
      return;
    }
    setBusy(true);
    try {
      const result = await api.updateSettings(
        changesBody(form, dirty) as SettingsUpdate,
      );
      const saved = formFromValues(result.values);
      setForm(f => keys.reduce((acc, k) => withKeyFrom(acc, saved, k), f));
      onSaved(result, `${title} saved.`);
    } catch (e) {
      const mapped = mapErrorToFields(e, fields);
      setErrors(mapped.fields);
      setGeneral(mapped.general);
    } finally {
      setBusy(false);
    }
  };

  const reset = async (key: SettingsKey) => {
    setBusy(true);
    setGeneral(undefined);
    try {
      const result = await api.updateSettings({ [key]: null });
      const saved = formFromValues(result.values);
      setForm(f => withKeyFrom(f, saved, key));
      setErrors(e =>
        Object.fromEntries(
          Object.entries(e).filter(
            ([field]) => !FIELDS_BY_KEY[key].includes(field as SettingsField),
          ),
        ),
      );
      onSaved(result, `${KEY_LABELS[key]} reset to app-config.`);
    } catch (e) {
      setGeneral(getErrorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return { settings, form, set, errors, general, busy, dirty, save, reset };
}

export type SettingsSection = ReturnType<typeof useSettingsSection>;
