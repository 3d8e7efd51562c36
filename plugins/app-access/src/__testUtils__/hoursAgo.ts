/** A timestamp this many hours before the test runs, so relative times read the same every day. */
export const hoursAgo = (hours: number) =>
  new Date(Date.now() - hours * 3_600_000).toISOString();
