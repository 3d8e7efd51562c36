import { Fragment } from 'react';
import { EntityRefLink } from '@backstage/plugin-catalog-react';

/** People and groups are catalog entities; refs such as `plugin:app-access` are not. */
export function isPersonOrGroup(ref: string): boolean {
  return /^(user|group):/i.test(ref);
}

export type EntityNameProps = {
  /** An entity ref, e.g. `user:default/sam.manager`. */
  entityRef: string;
};

/**
 * A person or group by their catalog display name ("Sam Manager"), linked
 * to their catalog page; hovering shows the full ref. Until the catalog
 * answers (or when it does not know them) the short ref is shown. The
 * system itself (`plugin:…`) is "App Access"; anything else stays as is.
 */
export const EntityName = ({ entityRef }: EntityNameProps) => {
  if (isPersonOrGroup(entityRef)) {
    return <EntityRefLink entityRef={entityRef} hideIcon />;
  }
  if (/^plugin:/i.test(entityRef)) {
    return <>App Access</>;
  }
  return <>{entityRef}</>;
};

export type EntityNamesProps = {
  entityRefs: string[];
  /** Shown when there are none. */
  empty?: string;
};

/** Several people or groups, separated by commas. */
export const EntityNames = ({ entityRefs, empty = '' }: EntityNamesProps) => {
  if (entityRefs.length === 0) {
    return <>{empty}</>;
  }
  return (
    <>
      {entityRefs.map((ref, i) => (
        <Fragment key={`${ref}-${i}`}>
          {i > 0 && ', '}
          <EntityName entityRef={ref} />
        </Fragment>
      ))}
    </>
  );
};
