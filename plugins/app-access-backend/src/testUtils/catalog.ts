import { Entity, RELATION_MEMBER_OF } from '@backstage/catalog-model';

/** A person of a test org: one User entity in the in-memory catalog. */
export type TestPerson = {
  /** Entity name: the person is `user:default/<name>`. */
  name: string;
  /** Profile display name; the entity name when left out. */
  displayName?: string;
  /** Entity name of the manager (the `app-access/manager` annotation). */
  manager?: string;
  /** Names of the groups the person is a member of. */
  groups?: string[];
  /** Profile email; `<name>@<emailDomain>` when left out, none when `null`. */
  email?: string | null;
};

/** The entity ref of a user of the test org. */
export const userRef = (name: string) => `user:default/${name}`;

/**
 * The User and Group entities of a test org, as the catalog would serve them.
 */
export function testCatalogEntities(
  people: TestPerson[],
  options: {
    /** Domain of the profile emails; default `acme.example`. */
    emailDomain?: string;
    /** Group entities, in this order; default: every group a person is in. */
    groups?: string[];
    /**
     * Whether users carry memberOf relations, as the catalog computes them;
     * default true. With false only `spec.memberOf` names the groups.
     */
    relations?: boolean;
  } = {},
): Entity[] {
  const domain = options.emailDomain ?? 'acme.example';
  const groups = options.groups ?? [
    ...new Set(people.flatMap(p => p.groups ?? [])),
  ];
  return [
    ...people.map(
      (p): Entity => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: {
          name: p.name,
          namespace: 'default',
          annotations: p.manager ? { 'app-access/manager': p.manager } : {},
        },
        spec: {
          profile: {
            displayName: p.displayName ?? p.name,
            ...(p.email === null
              ? {}
              : { email: p.email ?? `${p.name}@${domain}` }),
          },
          memberOf: p.groups ?? [],
        },
        ...(options.relations === false
          ? {}
          : {
              relations: (p.groups ?? []).map(g => ({
                type: RELATION_MEMBER_OF,
                targetRef: `group:default/${g}`,
              })),
            }),
      }),
    ),
    ...groups.map(
      (g): Entity => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: g, namespace: 'default' },
        spec: { type: 'team', children: [] },
      }),
    ),
  ];
}
