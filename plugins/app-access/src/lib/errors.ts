import { replaceModuleIds } from './format';
import { replaceStatusCodes } from './status';

/**
 * The schema library's messages (zod's English) as sentences an employee
 * can act on. Anything else the backend wrote for people already.
 */
const SCHEMA_MESSAGES: Array<[RegExp, (...m: string[]) => string]> = [
  [
    /^String must contain at most (\d+) character\(s\)$/i,
    n => `Too long: use at most ${n} characters`,
  ],
  [
    /^String must contain at least 1 character\(s\)$/i,
    () => 'Required: this cannot be empty',
  ],
  [
    /^String must contain at least (\d+) character\(s\)$/i,
    n => `Too short: use at least ${n} characters`,
  ],
  [
    /^Array must contain at most (\d+) element\(s\)$/i,
    n => `Too many: at most ${n} allowed`,
  ],
  [
    /^Array must contain at least (\d+) element\(s\)$/i,
    n => `Add at least ${n}`,
  ],
  [
    /^Invalid url$/i,
    () => 'Not a web address: enter one like https://example.com',
  ],
  [
    /^Invalid email$/i,
    () => 'Not an email address: enter one like name@example.com',
  ],
  [/^Invalid (date|datetime)$/i, () => 'Not a valid date'],
  [/^Required$/i, () => 'Required'],
  [
    /^Number must be less than or equal to (-?[\d.]+)$/i,
    n => `Too large: at most ${n}`,
  ],
  [
    /^Number must be greater than or equal to (-?[\d.]+)$/i,
    n => `Too small: at least ${n}`,
  ],
  [
    /^Expected (\w+), received (\w+)$/i,
    type => `Must be ${/^[aeiou]/i.test(type) ? 'an' : 'a'} ${type}`,
  ],
  [
    /^Invalid enum value\. Expected (.+), received '.*'$/i,
    options =>
      `Choose one of ${options
        .replace(/'/g, '')
        .split(/\s*\|\s*/)
        .join(', ')}`,
  ],
];

/** One problem in plain words: schema messages mapped, codes replaced. */
export function plainProblem(problem: string): string {
  const trimmed = problem.trim();
  for (const [pattern, say] of SCHEMA_MESSAGES) {
    const match = trimmed.match(pattern);
    if (match) {
      return say(...match.slice(1));
    }
  }
  return replaceModuleIds(replaceStatusCodes(trimmed));
}

const FIELD_PART = /^\s*([A-Za-z][\w.]*)\s*:\s*(.+)$/s;

/** Each "field: problem" part with its problem in plain words; the field kept. */
function plainParts(message: string): string {
  return message
    .split(/;\s+/)
    .map(part => {
      const match = part.match(FIELD_PART);
      return match
        ? `${match[1]}: ${plainProblem(match[2])}`
        : plainProblem(part);
    })
    .join('; ');
}

/** The body's message, or the error's own. */
function rawMessage(error: unknown): string {
  const e = error as
    | {
        body?: { error?: { message?: unknown } };
        message?: unknown;
      }
    | undefined;
  const fromBody = e?.body?.error?.message;
  if (typeof fromBody === 'string' && fromBody) {
    return fromBody;
  }
  if (typeof e?.message === 'string' && e.message) {
    return e.message;
  }
  return String(error);
}

/**
 * The backend's own words for a failed call. ResponseError's `message` is
 * only "Request failed with 409 Conflict"; the useful text is in the body.
 * Schema messages and internal codes in it come out as plain sentences;
 * "field: problem" parts keep their field, for splitFieldErrors.
 */
export function getErrorMessage(error: unknown): string {
  return plainParts(rawMessage(error));
}

/** "tiers.0.fulfillment.oktaGroupId" → "Okta group id", for a general alert. */
function fieldLabel(path: string): string {
  const last =
    path
      .split('.')
      .filter(p => !/^\d+$/.test(p))
      .pop() ?? path;
  const words = last
    .replace(/Id$/, ' id')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLocaleLowerCase('en-US');
  const label = replaceModuleIds(words === 'url' ? 'web address' : words);
  return label.charAt(0).toLocaleUpperCase('en-US') + label.slice(1);
}

/** A message for an alert: field paths no form claimed, named in words. */
export function plainGeneral(message: string): string {
  return message
    .split(/;\s+/)
    .map(part => {
      const match = part.match(FIELD_PART);
      return match && /^[a-z]/.test(match[1]) && !/\s/.test(match[1])
        ? `${fieldLabel(match[1])}: ${match[2]}`
        : part;
    })
    .join('; ');
}

/** HTTP status of a failed call, when it was one. */
export function getErrorStatus(error: unknown): number | undefined {
  const e = error as
    | { response?: { status?: unknown }; statusCode?: unknown }
    | undefined;
  const status = e?.response?.status ?? e?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export type SplitErrors<F extends string> = {
  fields: Partial<Record<F, string>>;
  /** What could not be attributed to a field; shown as a form-level alert. */
  general?: string;
};

function capitalize(s: string) {
  return s.charAt(0).toLocaleUpperCase('en-US') + s.slice(1);
}

/**
 * The backend reports input errors as "field: problem" (several joined by
 * "; "), so they can be shown under the field the user has to fix.
 */
export function splitFieldErrors<F extends string>(
  message: string,
  fields: readonly F[],
): SplitErrors<F> {
  const result: SplitErrors<F> = { fields: {} };
  const rest: string[] = [];
  for (const part of message.split(/;\s+/)) {
    const match = part.match(/^\s*([A-Za-z][\w.]*)\s*:\s*(.+)$/s);
    const field = match?.[1] as F | undefined;
    if (match && field && fields.includes(field)) {
      result.fields[field] = capitalize(match[2].trim());
    } else if (part.trim()) {
      rest.push(part.trim());
    }
  }
  if (rest.length > 0) {
    result.general = plainGeneral(rest.join('; '));
  }
  return result;
}
