/**
 * The backend's own words for a failed call. ResponseError's `message` is
 * only "Request failed with 409 Conflict"; the useful text is in the body.
 */
export function getErrorMessage(error: unknown): string {
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
    result.general = rest.join('; ');
  }
  return result;
}
