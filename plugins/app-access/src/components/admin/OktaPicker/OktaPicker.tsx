import { useEffect, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { useApi } from '@backstage/core-plugin-api';
import { TextField, Typography } from '@material-ui/core';
import { Autocomplete } from '@material-ui/lab';
import { appAccessApiRef } from '../../../api';
import { getErrorStatus } from '../../../lib/errors';
import { useOktaModule } from '../lib/useOktaModule';

export type OktaPickerKind = 'group' | 'app';

export type OktaPickerProps = {
  kind: OktaPickerKind;
  id: string;
  label: string;
  /** The Okta id (00g… for groups, 0oa… for apps). */
  value: string;
  onChange: (oktaId: string) => void;
  error?: string;
  required?: boolean;
};

type Option = { id: string; label: string };

/**
 * An Okta group or app, searched by name through the Okta module. When the
 * module is not installed (its routes answer 404) it is a plain id field.
 */
export const OktaPicker = ({
  kind,
  id,
  label,
  value,
  onChange,
  error,
  required,
}: OktaPickerProps) => {
  const api = useApi(appAccessApiRef);
  const [query, setQuery] = useState(value);
  useDebounce(() => setQuery(value), 300, [value]);
  const labels = useRef(new Map<string, string>());

  const okta = useOktaModule();
  const result = useAsync(async (): Promise<Option[]> => {
    if (okta.loading || okta.installed === false) {
      return [];
    }
    const items =
      kind === 'group'
        ? (await api.listOktaGroups(query)).items.map(g => ({
            id: g.id,
            label: g.name,
          }))
        : (await api.listOktaApps(query)).items.map(a => ({
            id: a.id,
            label: a.label || a.name,
          }));
    for (const item of items) {
      labels.current.set(item.id, item.label);
    }
    return items;
  }, [api, kind, query, okta.loading, okta.installed]);

  // Once the module said it is not there, stop asking.
  const [notInstalled, setNotInstalled] = useState(false);
  useEffect(() => {
    if (result.error && getErrorStatus(result.error) === 404) {
      setNotInstalled(true);
    }
  }, [result.error]);

  const what = kind === 'group' ? 'group' : 'app';
  if (notInstalled || okta.installed === false) {
    return (
      <TextField
        id={id}
        label={label}
        value={value}
        onChange={e => onChange(e.target.value)}
        required={required}
        fullWidth
        margin="dense"
        error={Boolean(error)}
        helperText={
          error ?? `The Okta module is not installed: type the Okta ${what} id.`
        }
      />
    );
  }

  const known = value ? labels.current.get(value) : undefined;
  return (
    <Autocomplete<string, false, false, true>
      id={id}
      freeSolo
      options={(result.value ?? []).map(o => o.id)}
      loading={result.loading}
      value={value || null}
      inputValue={value}
      onInputChange={(_e, v) => onChange(v)}
      onChange={(_e, v) => onChange(v ?? '')}
      filterOptions={options => options}
      getOptionLabel={o => o}
      renderOption={o => (
        <span>
          {labels.current.get(o) ?? o}{' '}
          <Typography component="span" variant="caption" color="textSecondary">
            {o}
          </Typography>
        </span>
      )}
      renderInput={params => (
        <TextField
          {...params}
          label={label}
          required={required}
          fullWidth
          margin="dense"
          error={Boolean(error)}
          helperText={
            error ??
            (known
              ? `Okta ${what}: ${known}`
              : `Type to search Okta ${what}s by name, or enter the ${what} id.`)
          }
        />
      )}
    />
  );
};
