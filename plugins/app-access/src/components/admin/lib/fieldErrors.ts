import { getErrorMessage, plainGeneral } from '../../../lib/errors';

export type MappedErrors = {
  fields: Record<string, string>;
  /** What no field claims; shown above the form. */
  general?: string;
};

function capitalize(s: string) {
  return s.charAt(0).toLocaleUpperCase('en-US') + s.slice(1);
}

/**
 * Maps the backend's "path: message" input errors (several joined by "; ")
 * onto form fields. A path belongs to the longest known field it starts
 * with, so "defaultApprovers.2: must be …" lands on "defaultApprovers" and
 * "tiers.1.approval.level2: …" on that tier's level 2.
 */
export function mapServerErrors(
  message: string,
  knownFields: readonly string[],
): MappedErrors {
  const result: MappedErrors = { fields: {} };
  const rest: string[] = [];
  const byLength = [...knownFields].sort((a, b) => b.length - a.length);
  for (const part of message.split(/;\s+/)) {
    const match = part.match(/^\s*([A-Za-z][\w.]*)\s*:\s*(.+)$/s);
    const path = match?.[1];
    const field = path
      ? byLength.find(f => path === f || path.startsWith(`${f}.`))
      : undefined;
    if (match && field) {
      if (!result.fields[field]) {
        result.fields[field] = capitalize(match[2].trim());
      }
    } else if (part.trim()) {
      rest.push(part.trim());
    }
  }
  if (rest.length > 0) {
    result.general = plainGeneral(rest.join('; '));
  }
  return result;
}

/** The same for a thrown error: 400s are mapped, anything else is general. */
export function mapErrorToFields(
  error: unknown,
  knownFields: readonly string[],
): MappedErrors {
  return mapServerErrors(getErrorMessage(error), knownFields);
}
