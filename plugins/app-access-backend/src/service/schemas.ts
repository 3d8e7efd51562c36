import { z } from 'zod';
import { InputError } from '@backstage/errors';
import { describeZodError } from '../catalog/appSchema';

// The admin API validates app bodies with the schema seed files use.
export { appSchema } from '../catalog/appSchema';

/** Parses input with a schema; a failure becomes a 400 naming the field. */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  what = 'body',
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(describeZodError(result.error) || `invalid ${what}`);
  }
  return result.data;
}
