import { Knex } from 'knex';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  AdminApp,
  AdminAppPage,
  AppAccessAppsChangedEvent,
  FulfillmentSpec,
} from '@app-access/plugin-app-access-common';
import { AppAccessFulfiller } from '@app-access/plugin-app-access-node';
import { AppStore, StoredApp } from '../database/AppStore';
import { AuditEventStore } from '../database/AuditEventStore';
import { appSchema, describeZodError } from '../catalog/appSchema';
import { Caller } from '../workflow/RequestWorkflow';

/** An app as admins see it: without the seed hash, which only the importer uses. */
export function adminApp(app: StoredApp): AdminApp {
  const { seedHash: _hash, ...rest } = app;
  return rest;
}

/** How an admin's save changed an app. */
function appChange(
  existing: StoredApp | undefined,
  app: { listed: boolean },
): AppAccessAppsChangedEvent['change'] {
  if (!existing) return 'created';
  if (existing.listed && !app.listed) return 'unlisted';
  if (!existing.listed && app.listed) return 'listed';
  return 'updated';
}

/** The audit trail's words for each change. */
const CHANGE_COMMENTS: Record<AppAccessAppsChangedEvent['change'], string> = {
  created: 'Created',
  unlisted: 'Removed from the catalog',
  listed: 'Added to the catalog',
  updated: 'Updated',
};

/** The catalog as admins curate it: every app, listed or not, and saves with an audit event. */
export class AppAdminService {
  constructor(
    private readonly deps: {
      db: Knex;
      apps: AppStore;
      events: AuditEventStore;
      /** The fulfiller of a fulfilment type (`okta-group`, ...), if installed. */
      fulfillerFor?: (type: string) => AppAccessFulfiller | undefined;
      /**
       * Told after each committed save (the plugin publishes it on the
       * events service, so the search index refreshes). It must not throw
       * or block: the save has already happened.
       */
      onAppChanged?: (event: AppAccessAppsChangedEvent) => void;
    },
  ) {}

  /**
   * Asks the fulfiller of each tier whether it would grant what the tier
   * says (the Okta allow-list): managing apps must not be a way to grant
   * oneself any Okta group, since a tier may need no approval at all.
   */
  private checkFulfilment(app: {
    tiers: Array<{ fulfillment: FulfillmentSpec }>;
  }) {
    app.tiers.forEach((tier, index) => {
      const spec = tier.fulfillment;
      const problem = this.deps.fulfillerFor?.(spec.type)?.validateSpec?.(spec);
      if (problem) {
        throw new InputError(
          `tiers.${index}.fulfillment.${problem.field}: ${problem.message}`,
        );
      }
    });
  }

  async list(query: {
    listed?: boolean;
    q?: string;
    category?: string;
    limit: number;
    cursor?: string;
  }): Promise<AdminAppPage> {
    const page = await this.deps.apps.list(query);
    return { items: page.items.map(adminApp), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<AdminApp> {
    const app = await this.deps.apps.get(id);
    if (!app) throw new NotFoundError(`No app '${id}'`);
    return adminApp(app);
  }

  /**
   * Creates (`mustBeNew`) or replaces an app with its tiers, and records who
   * did it, in one transaction. The body's id, when given, must be the URL's.
   */
  async save(
    caller: Caller,
    body: unknown,
    options: { mustBeNew: boolean; id?: string },
  ): Promise<AdminApp> {
    const input = (body ?? {}) as Record<string, unknown>;
    if (
      options.id !== undefined &&
      input.id !== undefined &&
      input.id !== options.id
    ) {
      throw new InputError(
        `id: the body's id '${input.id}' differs from the URL's '${options.id}'`,
      );
    }
    // The spec checks each field; the rules that span fields (a listed app
    // needs a tier, tier ids are unique, ...) and the defaults are the app
    // schema's, the same one seed files are checked with.
    const parsed = appSchema.safeParse({
      ...input,
      ...(options.id !== undefined ? { id: options.id } : {}),
    });
    if (!parsed.success) {
      throw new InputError(describeZodError(parsed.error) || 'invalid app');
    }
    const app = parsed.data;
    this.checkFulfilment(app);
    const { db, apps, events } = this.deps;
    let change: AppAccessAppsChangedEvent['change'] = 'updated';
    const saved = await db.transaction(async tx => {
      const existing = await apps.get(app.id, tx);
      change = appChange(existing, app);
      if (options.mustBeNew && existing) {
        throw new ConflictError(`An app with id '${app.id}' already exists`);
      }
      await apps.save(
        app,
        {
          source: existing?.source ?? 'admin',
          seedHash: existing?.seedHash,
          adminModified: true,
        },
        tx,
      );
      await events.addEvent(
        {
          appId: app.id,
          actor: caller.userRef,
          type: 'app_changed',
          comment: CHANGE_COMMENTS[change],
          data: { listed: app.listed, tiers: app.tiers.map(t => t.id) },
        },
        tx,
      );
      return (await apps.get(app.id, tx))!;
    });
    this.deps.onAppChanged?.({
      appId: saved.id,
      change,
      listed: saved.listed,
    });
    return adminApp(saved);
  }
}
