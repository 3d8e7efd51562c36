import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import { LoggerService } from '@backstage/backend-plugin-api';
import { UsageStore } from '../database/UsageStore';
import { describeZodError } from '../catalog/appSchema';

const usageFileSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  assignments: z.array(
    z.object({
      user: z.string().min(1),
      apps: z.array(z.string().min(1)),
      /**
       * Last sign-in per app: an ISO date-time, or a whole number of days
       * before the import (so a demo's activity stays current).
       */
      lastUsed: z
        .record(
          z.union([
            z.string().datetime({ offset: true }),
            z.number().int().min(0).max(3650),
          ]),
        )
        .optional(),
    }),
  ),
});

const DAY_MS = 24 * 60 * 60 * 1000;

function userRef(name: string) {
  return name.includes(':') ? name : `user:default/${name}`;
}

/**
 * Demo usage data (examples/usage.yaml): who has which app, for portals
 * without Okta. Re-importing replaces the demo assignments of the listed
 * people and touches nothing else.
 */
export async function importUsageSeeds(
  files: string[],
  usage: UsageStore,
  logger: LoggerService,
  options: { now?: () => Date } = {},
): Promise<number> {
  const now = options.now ?? (() => new Date());
  let total = 0;
  for (const file of files) {
    const full = resolve(file);
    const parsed = usageFileSchema.safeParse(
      yaml.load(await readFile(full, 'utf8')),
    );
    if (!parsed.success) {
      throw new Error(
        `Usage seed file ${full}: ${describeZodError(parsed.error)}`,
      );
    }
    const entries = parsed.data.assignments.map(a => ({
      personRef: userRef(a.user),
      appIds: a.apps,
    }));
    await usage.setAssignments('demo', entries);
    const lastUsed = parsed.data.assignments.flatMap(a =>
      Object.entries(a.lastUsed ?? {}).map(([appId, at]) => ({
        personRef: userRef(a.user),
        appId,
        at:
          typeof at === 'number'
            ? new Date(now().getTime() - at * DAY_MS).toISOString()
            : new Date(at).toISOString(),
      })),
    );
    if (lastUsed.length) await usage.markLastUsed(lastUsed);
    total += entries.reduce((n, e) => n + e.appIds.length, 0);
    logger.info(
      `Imported usage seed ${full}: ${entries.length} people, ${total} assignments`,
    );
  }
  return total;
}
