import type { Entity } from '@backstage/catalog-model';
import {
  CatalogApi,
  defaultEntityPresentation,
  EntityPresentationApi,
  EntityRefPresentation,
} from '@backstage/plugin-catalog-react';

/** Entity presentation as the catalog plugin's does it, for a few known people and groups. */
export function fakeEntityPresentationApi(
  displayNames: Record<string, string>,
): EntityPresentationApi {
  return {
    forEntity(entityOrRef, context) {
      const fallback = defaultEntityPresentation(entityOrRef, context);
      const name = displayNames[fallback.entityRef];
      const snapshot = name
        ? {
            ...fallback,
            primaryTitle: name,
            secondaryTitle: fallback.entityRef,
          }
        : fallback;
      return { snapshot, promise: Promise.resolve(snapshot) };
    },
  };
}

type SnapshotObservable = NonNullable<EntityRefPresentation['update$']>;
type Snapshot = EntityRefPresentation['snapshot'];

/** The value a promise resolves to, as an observable (nothing when it fails). */
function observe(promise: Promise<Snapshot>): SnapshotObservable {
  const observable = {
    [Symbol.observable]: () => observable,
    subscribe(
      observerOrNext?:
        | { next?: (v: Snapshot) => void; complete?: () => void }
        | ((v: Snapshot) => void),
      _onError?: (e: Error) => void,
      onComplete?: () => void,
    ) {
      const observer =
        typeof observerOrNext === 'function'
          ? { next: observerOrNext, complete: onComplete }
          : observerOrNext ?? {};
      let closed = false;
      promise.then(value => {
        if (!closed) {
          observer.next?.(value);
          observer.complete?.();
        }
      });
      return {
        unsubscribe: () => {
          closed = true;
        },
        get closed() {
          return closed;
        },
      };
    },
  };
  return observable as SnapshotObservable;
}

/**
 * Entity presentation the way the catalog plugin's DefaultEntityPresentationApi
 * does it in the app: the refs asked for at about the same time are looked up
 * in one `getEntitiesByRefs` call (and each ref once); until then, and when the
 * catalog fails or does not know someone, the short ref.
 */
export function batchingEntityPresentationApi(
  catalogApi: CatalogApi,
): EntityPresentationApi {
  const loads = new Map<string, Promise<Entity | undefined>>();
  let queue: Array<{
    ref: string;
    resolve: (entity: Entity | undefined) => void;
    reject: (error: unknown) => void;
  }> = [];

  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      const { items } = await catalogApi.getEntitiesByRefs({
        entityRefs: batch.map(b => b.ref),
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile.displayName',
        ],
      });
      batch.forEach((b, i) => b.resolve(items[i] ?? undefined));
    } catch (error) {
      batch.forEach(b => b.reject(error));
    }
  };

  const load = (ref: string) => {
    let loading = loads.get(ref);
    if (!loading) {
      loading = new Promise<Entity | undefined>((resolve, reject) => {
        if (queue.length === 0) {
          setTimeout(flush, 10);
        }
        queue.push({ ref, resolve, reject });
      });
      loads.set(ref, loading);
    }
    return loading;
  };

  return {
    forEntity(entityOrRef, context) {
      const snapshot = defaultEntityPresentation(entityOrRef, context);
      if (typeof entityOrRef !== 'string') {
        return { snapshot, promise: Promise.resolve(snapshot) };
      }
      const promise = load(entityOrRef).then(
        entity =>
          entity ? defaultEntityPresentation(entity, context) : snapshot,
        () => snapshot,
      );
      return { snapshot, update$: observe(promise), promise };
    },
  };
}
