import { ReactNode, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Chip, TextField, Typography } from '@material-ui/core';
import { Autocomplete, createFilterOptions } from '@material-ui/lab';

export type EntityKind = 'User' | 'Group';

type Option = { ref: string; label: string };

function displayName(entity: Entity): string {
  const profile = (entity.spec as { profile?: { displayName?: unknown } })
    ?.profile;
  const name =
    typeof profile?.displayName === 'string' ? profile.displayName : undefined;
  return name ?? entity.metadata.title ?? entity.metadata.name;
}

/** Users and groups from the software catalog, as entity refs with names. */
export function useEntityOptions(kinds: EntityKind[]) {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const kindsKey = kinds.join(',');
  const { value, loading } = useAsync(async (): Promise<Option[]> => {
    // No kinds: nothing to list (a caller that only sometimes needs it).
    if (!catalogApi || !kindsKey) {
      return [];
    }
    const { items } = await catalogApi.getEntities({
      filter: { kind: kindsKey.split(',') },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    return items
      .map(entity => ({
        ref: stringifyEntityRef(entity),
        label: displayName(entity),
      }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [catalogApi, kindsKey]);
  return useMemo(() => {
    const options = value ?? [];
    const labels = new Map(options.map(o => [o.ref, o.label]));
    return {
      refs: options.map(o => o.ref),
      labelOf: (ref: string) => labels.get(ref),
      loading,
    };
  }, [value, loading]);
}

type CommonProps = {
  id: string;
  label: string;
  kinds: EntityKind[];
  error?: string;
  helperText?: ReactNode;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
};

const renderOptionWith =
  (labelOf: (ref: string) => string | undefined) => (ref: string) =>
    (
      <span>
        {labelOf(ref) ?? ref}{' '}
        <Typography component="span" variant="caption" color="textSecondary">
          {ref}
        </Typography>
      </span>
    );

const filterWith = (labelOf: (ref: string) => string | undefined) =>
  createFilterOptions<string>({
    stringify: ref => `${labelOf(ref) ?? ''} ${ref}`,
  });

export type EntityRefPickerProps = CommonProps & {
  value: string;
  onChange: (ref: string) => void;
};

/**
 * One user or group, stored as its entity ref (user:default/jane.doe).
 * Picked from the catalog, or typed.
 */
export const EntityRefPicker = ({
  id,
  label,
  kinds,
  value,
  onChange,
  error,
  helperText,
  required,
  disabled,
  placeholder,
}: EntityRefPickerProps) => {
  const { refs, labelOf, loading } = useEntityOptions(kinds);
  return (
    <Autocomplete<string, false, false, true>
      id={id}
      freeSolo
      options={refs}
      loading={loading}
      disabled={disabled}
      value={value || null}
      inputValue={value}
      onInputChange={(_e, v) => onChange(v)}
      onChange={(_e, v) => onChange(v ?? '')}
      filterOptions={filterWith(labelOf)}
      renderOption={renderOptionWith(labelOf)}
      renderInput={params => (
        <TextField
          {...params}
          label={label}
          required={required}
          placeholder={
            placeholder ?? `${kinds[0].toLocaleLowerCase('en-US')}:default/name`
          }
          margin="normal"
          error={Boolean(error)}
          helperText={
            error ??
            (helperText ||
              (value && labelOf(value) ? labelOf(value) : undefined))
          }
        />
      )}
    />
  );
};

export type EntityRefsPickerProps = CommonProps & {
  value: string[];
  onChange: (refs: string[]) => void;
};

/** Several users or groups, as entity refs; type a ref and press Enter to add one not listed. */
export const EntityRefsPicker = ({
  id,
  label,
  kinds,
  value,
  onChange,
  error,
  helperText,
  required,
  disabled,
  placeholder,
}: EntityRefsPickerProps) => {
  const { refs, labelOf, loading } = useEntityOptions(kinds);
  return (
    <Autocomplete<string, true, false, true>
      id={id}
      multiple
      freeSolo
      filterSelectedOptions
      options={refs}
      loading={loading}
      disabled={disabled}
      value={value}
      onChange={(_e, v) =>
        onChange(
          Array.from(new Set(v.map(r => String(r).trim()).filter(Boolean))),
        )
      }
      filterOptions={filterWith(labelOf)}
      renderOption={renderOptionWith(labelOf)}
      renderTags={(tags, getTagProps) =>
        tags.map((ref, index) => (
          <Chip
            size="small"
            label={labelOf(ref) ?? ref}
            title={ref}
            {...getTagProps({ index })}
          />
        ))
      }
      renderInput={params => (
        <TextField
          {...params}
          label={label}
          required={required}
          placeholder={value.length ? undefined : placeholder}
          margin="normal"
          error={Boolean(error)}
          helperText={
            error ??
            helperText ??
            'Pick from the catalog, or type an entity ref and press Enter'
          }
        />
      )}
    />
  );
};
