import {
  Component,
  Fragment,
  MouseEvent,
  ReactNode,
  useCallback,
  useEffect,
  useState,
} from 'react';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useApiHolder } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  entityPresentationApiRef,
} from '@backstage/plugin-catalog-react';
import { Tooltip } from '@material-ui/core';
import { humanizeRef } from '../../lib/format';

/** People and groups are catalog entities; refs such as `plugin:app-access` are not. */
export function isPersonOrGroup(ref: string): boolean {
  return /^(user|group):/i.test(ref);
}

/**
 * The full ref of a person or group (`user:sam` → `user:default/sam`), or
 * undefined for anything else, including refs that do not parse.
 */
export function personOrGroupRef(ref: string | undefined): string | undefined {
  if (!ref || !isPersonOrGroup(ref)) {
    return undefined;
  }
  try {
    return stringifyEntityRef(parseEntityRef(ref));
  } catch {
    return undefined;
  }
}

/**
 * What is shown until (or unless) the catalog names someone: the short ref
 * (`sam.manager`; `ops/it` outside the default namespace). The system
 * itself (`plugin:…`) is "App Access"; anything else stays as is.
 */
export function shortName(ref: string | undefined): string {
  if (!ref) {
    return '';
  }
  const full = personOrGroupRef(ref);
  if (full) {
    return humanizeRef(full);
  }
  if (/^plugin:/i.test(ref)) {
    return 'App Access';
  }
  return ref;
}

/**
 * A person's or group's catalog display name as plain text, for labels,
 * titles and messages: the short ref until the catalog answers, and when it
 * fails or does not know them. Lookups go through the entity presentation
 * API, which batches and caches them (see EntityName).
 */
export function useEntityDisplayName(entityRef: string | undefined): string {
  const presentationApi = useApiHolder().get(entityPresentationApiRef);
  const ref = personOrGroupRef(entityRef);
  const [found, setFound] = useState<{ ref: string; name: string }>();

  useEffect(() => {
    if (!ref || !presentationApi) {
      return undefined;
    }
    let active = true;
    const show = (name: unknown) => {
      if (active && typeof name === 'string' && name) {
        setFound({ ref, name });
      }
    };
    try {
      const presentation = presentationApi.forEntity(ref);
      show(presentation.snapshot.primaryTitle);
      presentation.promise.then(
        snapshot => show(snapshot.primaryTitle),
        () => undefined,
      );
    } catch {
      // Keep the short ref.
    }
    return () => {
      active = false;
    };
  }, [ref, presentationApi]);

  return found && found.ref === ref ? found.name : shortName(entityRef);
}

/**
 * For table search: whether `term` is in the ref or in the display name the
 * catalog has already answered with (the entity presentation API's cached
 * snapshot, so a search never waits for a lookup).
 */
export function useEntityNameMatcher(): (
  entityRef: string | undefined,
  term: string,
) => boolean {
  const presentationApi = useApiHolder().get(entityPresentationApiRef);
  return useCallback(
    (entityRef, term) => {
      const needle = term.trim().toLocaleLowerCase();
      if (!needle) return true;
      if (!entityRef) return false;
      if (entityRef.toLocaleLowerCase().includes(needle)) return true;
      const ref = personOrGroupRef(entityRef);
      if (!ref || !presentationApi) return false;
      try {
        const title = presentationApi.forEntity(ref).snapshot.primaryTitle;
        return (
          typeof title === 'string' &&
          title.toLocaleLowerCase().includes(needle)
        );
      } catch {
        return false;
      }
    },
    [presentationApi],
  );
}

/** The name without a link, the full ref on hover. */
const PlainName = ({
  entityRef,
  displayName,
}: {
  entityRef: string;
  displayName?: string;
}) => {
  const name = useEntityDisplayName(displayName ? undefined : entityRef);
  return <span title={entityRef}>{displayName ?? name}</span>;
};

/**
 * Shows the fallback when the link cannot be drawn: in an app without the
 * catalog plugin, EntityRefLink throws (its entity route is not bound).
 */
class UnlinkedOnError extends Component<
  { fallback: ReactNode; children: ReactNode },
  { failed: boolean }
> {
  static getDerivedStateFromError() {
    return { failed: true };
  }

  state = { failed: false };

  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

// A name in a clickable table row opens the person, not the row.
const stopPropagation = (e: MouseEvent) => e.stopPropagation();

export type EntityNameProps = {
  /** An entity ref, e.g. `user:default/sam.manager`. */
  entityRef: string;
  /** A name already known (e.g. sent by the backend): shown without asking the catalog. */
  displayName?: string;
  /** Where the link opens, e.g. `_blank` inside a form. */
  target?: string;
};

/**
 * A person or group by their catalog display name ("Sam Manager"), linked
 * to their catalog page; hovering shows the full ref. Until the catalog
 * answers (or when it fails or does not know them) the short ref is shown.
 * The system itself (`plugin:…`) is "App Access"; anything else stays as is.
 *
 * Names come from the entity presentation API (the catalog plugin's
 * DefaultEntityPresentationApi in the app). It collects the refs asked for
 * within a few milliseconds into one `getEntitiesByRefs` call (up to 100
 * refs each) and caches them, so a table with a name in every row makes one
 * catalog request per page of rows, not one per row.
 */
export const EntityName = ({
  entityRef,
  displayName,
  target,
}: EntityNameProps) => {
  const ref = personOrGroupRef(entityRef);
  if (!ref) {
    return <>{shortName(entityRef)}</>;
  }
  const link = displayName ? (
    // On a span: EntityRefLink would take the tooltip's title as its text.
    <Tooltip title={ref} enterDelay={1500}>
      <span>
        <EntityRefLink
          entityRef={ref}
          target={target}
          onClick={stopPropagation}
        >
          {displayName}
        </EntityRefLink>
      </span>
    </Tooltip>
  ) : (
    <EntityRefLink
      entityRef={ref}
      hideIcon
      target={target}
      onClick={stopPropagation}
    />
  );
  return (
    <UnlinkedOnError
      key={ref}
      fallback={<PlainName entityRef={ref} displayName={displayName} />}
    >
      {link}
    </UnlinkedOnError>
  );
};

export type EntityNamesProps = {
  entityRefs: string[];
  /** Shown when there are none. */
  empty?: string;
  /** Before the last name: `', '` (default), or e.g. `' and '`. */
  lastSeparator?: string;
};

/** Several people or groups, separated by commas. */
export const EntityNames = ({
  entityRefs,
  empty = '',
  lastSeparator = ', ',
}: EntityNamesProps) => {
  if (entityRefs.length === 0) {
    return <>{empty}</>;
  }
  return (
    <>
      {entityRefs.map((ref, i) => (
        <Fragment key={`${ref}-${i}`}>
          {i > 0 && (i === entityRefs.length - 1 ? lastSeparator : ', ')}
          <EntityName entityRef={ref} />
        </Fragment>
      ))}
    </>
  );
};
