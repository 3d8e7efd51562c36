/**
 * The backend's schema refuses free text longer than this (justification,
 * decision comments, notes); the forms enforce it so nobody finds out only
 * after pressing Send.
 */
export const TEXT_LIMIT = 4000;

/** The error for text over the limit, or nothing when it fits. */
export function textLimitError(
  text: string,
  limit: number = TEXT_LIMIT,
): string | undefined {
  const length = text.trim().length;
  if (length <= limit) {
    return undefined;
  }
  return `Too long: ${length} characters, the limit is ${limit}. Shorten it by ${
    length - limit
  }.`;
}
