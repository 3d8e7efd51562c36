import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CatalogDirectory } from '../catalog/CatalogDirectory';
import { PersonRecord, UsageStore } from '../database/UsageStore';
import { nowIso } from '../database/json';

/**
 * Copies people and their groups from the Backstage catalog into the usage
 * store, so peer counts are answered by indexed queries.
 */
export class CatalogPeopleSync {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      usage: UsageStore;
      logger: LoggerService;
    },
  ) {}

  async run(): Promise<{ people: number }> {
    const started = Date.now();
    await this.deps.usage.saveSync('catalog', {
      status: 'running',
      lastStartedAt: nowIso(),
    });
    try {
      const credentials = await this.deps.auth.getOwnServiceCredentials();
      let count = 0;
      for await (const page of this.deps.catalog.streamEntities(
        { filter: { kind: 'User' } },
        { credentials },
      )) {
        const people: PersonRecord[] = page.map(entity => {
          const p = CatalogDirectory.toPerson(entity);
          return {
            ref: p.ref,
            email: p.email,
            displayName: p.displayName,
            department: p.department,
            title: p.title,
            manager: p.manager,
            groups: p.groups,
          };
        });
        await this.deps.usage.upsertPeople(people, 'catalog');
        count += people.length;
      }
      await this.deps.usage.saveSync('catalog', {
        status: 'idle',
        lastFinishedAt: nowIso(),
        lastDurationMs: Date.now() - started,
        lastCounts: { people: count },
        lastError: undefined,
      });
      return { people: count };
    } catch (error) {
      await this.deps.usage.saveSync('catalog', {
        status: 'failed',
        lastFinishedAt: nowIso(),
        lastDurationMs: Date.now() - started,
        lastError: (error as Error).message,
      });
      throw error;
    }
  }
}
