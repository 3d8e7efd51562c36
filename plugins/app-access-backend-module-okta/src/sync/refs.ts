/**
 * Entity refs for what only Okta knows. Backstage entity names are at most 63
 * characters of [a-z0-9] separated by single `-`, `_` or `.`.
 */
export function sanitizeName(raw: string, fallback: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[-_.]{2,}/g, '-')
    .replace(/^[-_.]+|[-_.]+$/g, '')
    .slice(0, 63)
    .replace(/[-_.]+$/g, '');
  return name || fallback;
}

/** `user:default/<login's local part>`, e.g. user:default/jane.doe. */
export function userRefFor(login: string): string {
  return `user:default/${sanitizeName(login.split('@')[0], 'okta-user')}`;
}

/** The same with a piece of the Okta id, for when the plain one is taken. */
export function userRefCandidates(login: string, oktaId: string): string[] {
  const base = sanitizeName(login.split('@')[0], 'okta-user');
  const id = oktaId.toLowerCase().replace(/[^a-z0-9]/g, '');
  return [
    `user:default/${base}`,
    `user:default/${sanitizeName(`${base.slice(0, 56)}-${id.slice(-6)}`, id)}`,
    `user:default/${sanitizeName(`${base.slice(0, 40)}-${id}`, id)}`,
  ];
}

/** `group:default/okta-<group name>`, e.g. group:default/okta-engineering. */
export function groupRefFor(name: string, oktaId: string): string {
  return `group:default/${sanitizeName(
    `okta-${name}`,
    `okta-${oktaId.toLowerCase()}`,
  )}`;
}
