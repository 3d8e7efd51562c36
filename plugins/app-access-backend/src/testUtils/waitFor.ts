/**
 * Polls `probe` until it returns a value (neither `undefined` nor `false`),
 * or fails after `timeoutMs`. A probe that throws is asked again (the last
 * error is named on time-out), unless `rethrow` is set: then the error fails
 * the wait at once.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; rethrow?: boolean } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50, rethrow = false } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (rethrow) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${last}` : ''
        }`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}
