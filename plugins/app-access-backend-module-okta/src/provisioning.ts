import { AppUser } from '@okta/okta-sdk-nodejs';

/**
 * Where an app user's provisioning stands. Okta assigns at once but pushes
 * the account to the app (SCIM) asynchronously: STAGED/SYNCING until the app
 * has it, then PROVISIONED (or ACTIVE for SSO-only apps, whose syncState is
 * DISABLED). syncState ERROR means the push failed and needs someone in Okta.
 */
export function provisioningState(
  appUser: AppUser,
): 'done' | 'error' | 'pending' {
  if (appUser.syncState === 'ERROR') return 'error';
  const placed =
    appUser.status === 'PROVISIONED' || appUser.status === 'ACTIVE';
  return placed && appUser.syncState !== 'SYNCING' ? 'done' : 'pending';
}

export function describeAppUser(appUser: AppUser): string {
  return `status ${appUser.status ?? 'unknown'}${
    appUser.syncState ? `, sync ${appUser.syncState}` : ''
  }`;
}

/** The words for a finished assignment; SSO-only apps have nothing to provision. */
export function grantedMessage(
  who: string,
  label: string,
  appUser: AppUser,
): string {
  return appUser.status === 'PROVISIONED'
    ? `Okta provisioned ${who} in ${label} (${describeAppUser(appUser)})`
    : `Okta shows ${who} active in ${label} (${describeAppUser(appUser)})`;
}

/**
 * What a request's externalRef says the Okta module did, so the provisioning
 * follow-up can find the app user again:
 * `okta-app:<appId>:<userId>` or `okta-group:<groupId>:<userId>`.
 */
export type OktaRef =
  | { kind: 'okta-app'; appId: string; userId: string }
  | { kind: 'okta-group'; groupId: string; userId: string };

export function formatOktaRef(ref: OktaRef): string {
  return ref.kind === 'okta-app'
    ? `okta-app:${ref.appId}:${ref.userId}`
    : `okta-group:${ref.groupId}:${ref.userId}`;
}

export function parseOktaRef(value: string | undefined): OktaRef | undefined {
  const m = /^(okta-app|okta-group):([^:]+):([^:]+)$/.exec(value ?? '');
  if (!m) return undefined;
  return m[1] === 'okta-app'
    ? { kind: 'okta-app', appId: m[2], userId: m[3] }
    : { kind: 'okta-group', groupId: m[2], userId: m[3] };
}

/** Durations for messages: 30000 → 30 (s), 600000 → 10 (min). */
export const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
export const minutes = (ms: number) => Number((ms / 60_000).toFixed(2));
