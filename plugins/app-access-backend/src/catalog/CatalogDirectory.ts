import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  AppAccessDirectory,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';

/** Annotation naming a user's manager (user name or entity ref). */
export const MANAGER_ANNOTATION = 'app-access/manager';
export const TITLE_ANNOTATION = 'app-access/title';
export const DEPARTMENT_ANNOTATION = 'app-access/department';

type CacheEntry<T> = { value: T; expires: number };

/**
 * People and groups from the Backstage catalog. Managers come from the
 * `app-access/manager` annotation (or `spec.manager` where a provider sets it).
 * Results are cached briefly: a request resolves the same people several times.
 */
export class CatalogDirectory implements AppAccessDirectory {
  private readonly people = new Map<
    string,
    CacheEntry<DirectoryPerson | undefined>
  >();
  private readonly members = new Map<string, CacheEntry<string[]>>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly ttlMs = 60_000,
  ) {}

  private async credentials() {
    return { credentials: await this.auth.getOwnServiceCredentials() };
  }

  static toPerson(entity: Entity): DirectoryPerson {
    const ref = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const spec = (entity.spec ?? {}) as {
      profile?: { displayName?: string; email?: string };
      manager?: string;
      memberOf?: string[];
    };
    const managerRaw = annotations[MANAGER_ANNOTATION] ?? spec.manager;
    const groups = (entity.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef);
    return {
      ref,
      displayName: spec.profile?.displayName ?? entity.metadata.title,
      email: spec.profile?.email,
      manager: managerRaw
        ? stringifyEntityRef(
            parseEntityRef(managerRaw, {
              defaultKind: 'user',
              defaultNamespace: 'default',
            }),
          )
        : undefined,
      groups: groups.length
        ? groups
        : (spec.memberOf ?? []).map(g =>
            stringifyEntityRef(
              parseEntityRef(g, {
                defaultKind: 'group',
                defaultNamespace: 'default',
              }),
            ),
          ),
      title: annotations[TITLE_ANNOTATION] ?? entity.metadata.description,
      department: annotations[DEPARTMENT_ANNOTATION],
    };
  }

  async getPerson(userRef: string): Promise<DirectoryPerson | undefined> {
    const cached = this.people.get(userRef);
    if (cached && cached.expires > Date.now()) return cached.value;
    const entity = await this.catalog.getEntityByRef(
      userRef,
      await this.credentials(),
    );
    const value =
      entity && entity.kind.toLowerCase() === 'user'
        ? CatalogDirectory.toPerson(entity)
        : undefined;
    this.people.set(userRef, { value, expires: Date.now() + this.ttlMs });
    return value;
  }

  async findPersonByEmail(email: string): Promise<DirectoryPerson | undefined> {
    const wanted = email.trim().toLowerCase();
    const { items } = await this.catalog.getEntities(
      { filter: { kind: 'User', 'spec.profile.email': wanted } },
      await this.credentials(),
    );
    const match =
      items[0] ??
      // Catalog filters are case-insensitive on values in most setups; this
      // covers the rest without loading every user on the happy path.
      (
        await this.catalog.getEntities(
          {
            filter: { kind: 'User' },
            fields: [
              'kind',
              'metadata',
              'spec.profile',
              'spec.memberOf',
              'relations',
            ],
          },
          await this.credentials(),
        )
      ).items.find(
        e => ((e.spec as any)?.profile?.email ?? '').toLowerCase() === wanted,
      );
    return match ? CatalogDirectory.toPerson(match) : undefined;
  }

  async findPeopleByEmail(email: string): Promise<DirectoryPerson[]> {
    const wanted = email.trim().toLowerCase();
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'User' },
        fields: [
          'kind',
          'metadata',
          'spec.profile',
          'spec.memberOf',
          'relations',
        ],
      },
      await this.credentials(),
    );
    return items
      .filter(
        e => ((e.spec as any)?.profile?.email ?? '').toLowerCase() === wanted,
      )
      .map(e => CatalogDirectory.toPerson(e));
  }

  async findPeopleByAnnotation(
    annotations: string[],
    value: string,
  ): Promise<DirectoryPerson[]> {
    const wanted = value.trim().toLowerCase();
    if (!wanted || annotations.length === 0) return [];
    const { items } = await this.catalog.getEntities(
      {
        filter: annotations.map(a => ({
          kind: 'User',
          [`metadata.annotations.${a}`]: wanted,
        })),
        fields: [
          'kind',
          'metadata',
          'spec.profile',
          'spec.memberOf',
          'relations',
        ],
      },
      await this.credentials(),
    );
    // The catalog matches values case-insensitively; this keeps it exact
    // per annotation whatever the catalog backend does.
    return items
      .filter(e =>
        annotations.some(
          a =>
            (e.metadata.annotations?.[a] ?? '').trim().toLowerCase() === wanted,
        ),
      )
      .map(e => CatalogDirectory.toPerson(e));
  }

  async getGroupMembers(groupRef: string): Promise<string[]> {
    const cached = this.members.get(groupRef);
    if (cached && cached.expires > Date.now()) return cached.value;
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'User', [`relations.${RELATION_MEMBER_OF}`]: groupRef },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      await this.credentials(),
    );
    const value = items.map(e => stringifyEntityRef(e)).sort();
    this.members.set(groupRef, { value, expires: Date.now() + this.ttlMs });
    return value;
  }
}

/** Asks each directory in turn; the first that knows the person wins. */
export class CompositeDirectory implements AppAccessDirectory {
  constructor(private readonly directories: AppAccessDirectory[]) {}

  async getPerson(userRef: string) {
    for (const d of this.directories) {
      const person = await d.getPerson(userRef);
      if (person) return person;
    }
    return undefined;
  }

  async findPersonByEmail(email: string) {
    for (const d of this.directories) {
      const person = await d.findPersonByEmail?.(email);
      if (person) return person;
    }
    return undefined;
  }

  /** Everyone any directory has with this email, each person once. */
  async findPeopleByEmail(email: string) {
    const found = new Map<string, DirectoryPerson>();
    for (const d of this.directories) {
      const people = d.findPeopleByEmail
        ? await d.findPeopleByEmail(email)
        : [await d.findPersonByEmail?.(email)].filter(
            (p): p is DirectoryPerson => Boolean(p),
          );
      for (const p of people) if (!found.has(p.ref)) found.set(p.ref, p);
    }
    return [...found.values()];
  }

  /** Everyone any directory has with this annotation value, each person once. */
  async findPeopleByAnnotation(annotations: string[], value: string) {
    const found = new Map<string, DirectoryPerson>();
    for (const d of this.directories) {
      for (const p of (await d.findPeopleByAnnotation?.(annotations, value)) ??
        []) {
        if (!found.has(p.ref)) found.set(p.ref, p);
      }
    }
    return [...found.values()];
  }

  async getGroupMembers(groupRef: string) {
    for (const d of this.directories) {
      const members = await d.getGroupMembers(groupRef);
      if (members.length) return members;
    }
    return [];
  }
}
