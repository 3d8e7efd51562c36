/*
 * Client-side mirrors of the backend's input rules
 * (plugins/app-access-backend/src/service/schemas.ts and router.ts), so the
 * admin forms can say what is wrong next to the field before saving. The
 * server stays the authority: its 400 messages are mapped onto the same
 * fields by their "path: message" prefix (see fieldErrors.ts).
 */

/** App and tier ids. */
export const SLUG = /^[a-z0-9][a-z0-9-]*$/;
export const SLUG_MESSAGE = 'Use lowercase letters, digits and dashes';

export const USER_OR_GROUP_REF =
  /^(user|group):[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;
export const USER_REF = /^user:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;
export const GROUP_REF = /^group:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;

/** zod's email check, which the backend uses. */
const EMAIL =
  /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i;

export const NUMERIC_ID_12 = /^\d{1,12}$/;
export const NUMERIC_ID_20 = /^\d{1,20}$/;
export const ZENDESK_TAG = /^[a-z0-9_:-]{1,80}$/i;
export const SLACK_CHANNEL = /^[#]?[a-z0-9._-]{1,80}$|^[CG][A-Z0-9]{6,}$/;
export const HEX_COLOUR = /^#[0-9a-fA-F]{3,8}$/;

export const MAX_TIERS = 3;

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

/** zod's url check: anything the WHATWG URL parser accepts. */
export function isUrl(value: string): boolean {
  try {
    // eslint-disable-next-line no-new
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export type Errors = Record<string, string>;

/** Collects "field → message" pairs; the first message per field wins. */
export class ErrorCollector {
  readonly errors: Errors = {};

  add(field: string, message: string | undefined | false) {
    if (message && !this.errors[field]) {
      this.errors[field] = message;
    }
  }

  get ok() {
    return Object.keys(this.errors).length === 0;
  }
}

export function maxLength(value: string | undefined, max: number) {
  return value && value.length > max
    ? `Use at most ${max} characters`
    : undefined;
}

export function checkRef(
  value: string | undefined,
  kinds: 'user' | 'group' | 'any',
): string | undefined {
  if (!value) {
    return undefined;
  }
  if (kinds === 'user') {
    return USER_REF.test(value)
      ? undefined
      : 'Must be a user entity ref such as user:default/jane.doe';
  }
  if (kinds === 'group') {
    return GROUP_REF.test(value)
      ? undefined
      : 'Must be a group entity ref such as group:default/engineering';
  }
  return USER_OR_GROUP_REF.test(value)
    ? undefined
    : 'Must be a user or group entity ref such as user:default/jane.doe';
}

/** A slug from a name, for new app and tier ids: "GitHub Enterprise" → "github-enterprise". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}
