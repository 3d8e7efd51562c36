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
      /** Called after a run that marked people gone (see LeaverWorkflow). */
      onLeavers?: () => Promise<void>;
    },
  ) {}

  async run(): Promise<{ people: number; left?: number }> {
    const started = Date.now();
    await this.deps.usage.saveSync('catalog', {
      status: 'running',
      lastStartedAt: nowIso(),
    });
    try {
      const credentials = await this.deps.auth.getOwnServiceCredentials();
      let count = 0;
      const seen = new Set<string>();
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
        for (const p of people) seen.add(p.ref);
      }
      // People the catalog had and no longer has left. An empty catalog is
      // more likely broken than deserted: nobody is marked gone then.
      const left = count > 0 ? await this.markGone(seen) : 0;
      await this.deps.usage.saveSync('catalog', {
        status: 'idle',
        lastFinishedAt: nowIso(),
        lastDurationMs: Date.now() - started,
        lastCounts: { people: count, left },
        lastError: undefined,
      });
      if (left > 0) await this.deps.onLeavers?.();
      return { people: count, left };
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

  /** Marks the catalog's people missing from this run as gone; how many. */
  private async markGone(seen: Set<string>): Promise<number> {
    const { usage } = this.deps;
    const gone: PersonRecord[] = [];
    for (const ref of await usage.activeRefs('catalog')) {
      if (seen.has(ref)) continue;
      const person = await usage.getPerson(ref);
      if (person) gone.push({ ...person, groups: [], active: false });
    }
    if (gone.length) await usage.upsertPeople(gone, 'catalog');
    return gone.length;
  }
}
