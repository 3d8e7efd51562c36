import { Knex } from 'knex';
import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { App } from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { appSchema, describeZodError, seedFileSchema } from './appSchema';

export type SeedResult = {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
};

function stableHash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Imports app catalog seed files. Idempotent: an app that exists is updated
 * only if its seed entry changed and no admin edited it since; an admin's
 * change is never overwritten.
 */
export class SeedImporter {
  constructor(
    private readonly db: Knex,
    private readonly apps: AppStore,
    private readonly logger: LoggerService,
  ) {}

  /** Reads and validates a seed file; errors name the file, app and field. */
  static async readFile(path: string): Promise<App[]> {
    const text = await readFile(path, 'utf8');
    let doc: unknown;
    try {
      doc = yaml.load(text, { filename: path });
    } catch (error) {
      throw new Error(`App seed file ${path}: ${(error as Error).message}`);
    }
    const file = seedFileSchema.safeParse(doc);
    if (!file.success) {
      throw new Error(`App seed file ${path}: ${describeZodError(file.error)}`);
    }
    return file.data.apps.map((entry, index) => {
      const parsed = appSchema.safeParse(entry);
      if (!parsed.success) {
        // An entry without a usable id is named by its position (from 1).
        const id = (entry as { id?: unknown } | null)?.id;
        const name = typeof id === 'string' && id ? id : `#${index + 1}`;
        throw new Error(
          `App seed file ${path}, app ${name}: ${describeZodError(
            parsed.error,
          )}`,
        );
      }
      return parsed.data as App;
    });
  }

  async importApps(apps: App[]): Promise<SeedResult> {
    const result: SeedResult = {
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    };
    for (const app of apps) {
      const hash = stableHash(app);
      await this.db.transaction(async tx => {
        // Insert first, read after: replicas importing the same file at the
        // same time then both succeed, and the one that did not insert finds
        // the other's row instead of colliding on its id.
        if (
          await this.apps.insertIfAbsent(
            app,
            { source: 'seed', seedHash: hash, adminModified: false },
            tx,
          )
        ) {
          result.created++;
          return;
        }
        const existing = await this.apps.getForUpdate(app.id, tx);
        if (!existing || existing.adminModified || existing.source !== 'seed') {
          result.skipped++;
        } else if (existing.seedHash === hash) {
          result.unchanged++;
        } else {
          await this.apps.save(
            app,
            { source: 'seed', seedHash: hash, adminModified: false },
            tx,
          );
          result.updated++;
        }
      });
    }
    return result;
  }

  async importFiles(paths: string[]): Promise<SeedResult> {
    const total: SeedResult = {
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    };
    for (const p of paths) {
      const full = resolve(p);
      const apps = await SeedImporter.readFile(full);
      const r = await this.importApps(apps);
      this.logger.info(
        `Imported app seed ${full}: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.skipped} kept as changed by an admin`,
      );
      total.created += r.created;
      total.updated += r.updated;
      total.unchanged += r.unchanged;
      total.skipped += r.skipped;
    }
    return total;
  }
}
