import { InputError, NotFoundError } from '@backstage/errors';
import {
  AppAccessSettings,
  AppPeers,
  ApproverPreview,
  CatalogApp,
  CatalogAppPage,
  IndexedAppPage,
  OnBehalfOptions,
  Recommendation,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { AppStore, StoredApp } from '../database/AppStore';
import { RequestStore } from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';
import { UsageStore } from '../database/UsageStore';
import { decodeCursor, encodeCursor } from '../database/json';
import {
  ApprovalPolicyResolver,
  effectivePolicy,
  needsApproval,
} from '../workflow/ApprovalPolicyResolver';
import { Caller } from '../workflow/RequestWorkflow';
import { PeerUsage } from '../usage/PeerUsage';
import { SeatWarnings } from '../usage/seatWarning';

type MyRequests = Map<
  string,
  { id: string; tierId?: string; status: RequestStatus }
>;

/** The catalog as employees see it: listed apps, peers, recommendations, approver previews. */
export class AppCatalogService {
  constructor(
    private readonly deps: {
      apps: AppStore;
      requests: RequestStore;
      settings: SettingsStore;
      directory: AppAccessDirectory;
      resolver: ApprovalPolicyResolver;
      peers?: PeerUsage;
      usage?: UsageStore;
      seats?: SeatWarnings;
    },
  ) {}

  /** An app as the caller sees it: without its import bookkeeping, with their request badge. */
  static toCatalogApp(
    app: StoredApp,
    person: DirectoryPerson | undefined,
    mine: MyRequests,
    access?: AppAccessSettings['access'],
  ): CatalogApp {
    const { source: _s, seedHash: _h, adminModified: _m, ...rest } = app;
    const my = mine.get(app.id);
    return {
      ...rest,
      tiers: app.tiers.map(t => {
        // What seats cost and how many were bought is for admins only.
        const {
          costPerSeatMonthly: _cost,
          currency: _currency,
          seatsPurchased: _seats,
          autoReclaim: _reclaim,
          ...tier
        } = t;
        return {
          ...AppCatalogService.withDurationSettings(tier, access),
          needsApproval: needsApproval(effectivePolicy(app, t), person),
        };
      }),
      myRequest: my
        ? { id: my.id, tierId: my.tierId, status: my.status }
        : undefined,
    };
  }

  /**
   * A tier as the request form should offer it: the settings' maximum caps
   * the tier's own (and, when set, leaves no "until I remove it"), and the
   * settings' default duration, capped the same way, is preselected.
   */
  private static withDurationSettings<
    T extends Pick<
      CatalogApp['tiers'][number],
      'maxDurationDays' | 'durationRequired'
    >,
  >(
    tier: T,
    access?: AppAccessSettings['access'],
  ): T & {
    defaultDurationDays?: number;
  } {
    if (!access) return tier;
    const cap = access.maxDurationDays;
    const max = cap
      ? Math.min(tier.maxDurationDays ?? cap, cap)
      : tier.maxDurationDays;
    const def =
      access.defaultDurationDays !== undefined
        ? Math.min(access.defaultDurationDays, max ?? Infinity)
        : cap && max;
    return {
      ...tier,
      ...(max ? { maxDurationDays: max } : {}),
      ...(cap ? { durationRequired: true } : {}),
      ...(def ? { defaultDurationDays: def } : {}),
    };
  }

  /**
   * Peer counts and the caller's latest request per app for a catalog page
   * (all listed apps when `appIds` is undefined): one statement with peer
   * usage, the caller's requests alone without.
   */
  private async pageState(
    who: Caller,
    person: DirectoryPerson | undefined,
    settings: AppAccessSettings,
    appIds?: string[],
  ): Promise<{
    counts: Map<string, { team: number; role: number }>;
    mine: MyRequests;
  }> {
    const { peers, requests } = this.deps;
    if (!peers) {
      return {
        counts: new Map(),
        mine: await requests.latestByRequester(who.userRef),
      };
    }
    const viewer = await peers.viewer(who.userRef, person);
    const { counts, requests: mine } = await peers.countsAndRequests(
      viewer,
      settings,
      appIds,
    );
    return { counts, mine };
  }

  /**
   * A page of listed apps by name, or the whole catalog ranked by use on the
   * caller's team or role (then the cursor is an offset).
   */
  async listApps(
    who: Caller,
    query: {
      q?: string;
      category?: string;
      sort: 'name' | 'team' | 'role';
      limit: number;
      cursor?: string;
    },
  ): Promise<CatalogAppPage> {
    const { apps, settings, directory } = this.deps;
    // The catalog's pages are the same for everyone: served from a cache
    // that admin saves in this process invalidate (AppStore); the caller's
    // person is cached briefly too (PeerReads). Then one statement for the
    // counts and the caller's requests (PeerReads.counts).
    const [currentSettings, person, namePage] = await Promise.all([
      settings.get(),
      directory.getPerson(who.userRef),
      query.sort === 'name'
        ? apps.list(
            {
              q: query.q,
              category: query.category,
              limit: query.limit,
              cursor: query.cursor,
              listed: true,
            },
            { cached: true },
          )
        : undefined,
    ]);
    if (namePage) {
      const { counts, mine } = await this.pageState(
        who,
        person,
        currentSettings,
        namePage.items.map(a => a.id),
      );
      return {
        items: namePage.items.map(a => ({
          ...AppCatalogService.toCatalogApp(
            a,
            person,
            mine,
            currentSettings.access,
          ),
          peers: counts.get(a.id) ?? { team: 0, role: 0 },
        })),
        nextCursor: namePage.nextCursor,
      };
    }
    const offset = query.cursor
      ? Number(decodeCursor(query.cursor)?.[1] ?? NaN)
      : 0;
    if (!Number.isInteger(offset) || offset < 0) {
      throw new InputError('cursor: not a cursor this list returned');
    }
    const all: StoredApp[] = [];
    let cursor: string | undefined;
    do {
      const page = await apps.list(
        {
          q: query.q,
          category: query.category,
          listed: true,
          limit: 200,
          cursor,
        },
        { cached: true },
      );
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const { counts, mine } = await this.pageState(who, person, currentSettings);
    const key = query.sort === 'role' ? 'role' : 'team';
    all.sort(
      (a, b) =>
        (counts.get(b.id)?.[key] ?? 0) - (counts.get(a.id)?.[key] ?? 0) ||
        a.name.localeCompare(b.name),
    );
    return {
      items: all.slice(offset, offset + query.limit).map(a => ({
        ...AppCatalogService.toCatalogApp(
          a,
          person,
          mine,
          currentSettings.access,
        ),
        peers: counts.get(a.id) ?? { team: 0, role: 0 },
      })),
      nextCursor:
        offset + query.limit < all.length
          ? encodeCursor('offset', offset + query.limit)
          : undefined,
    };
  }

  private async listedApp(id: string, cached = false): Promise<StoredApp> {
    const app = cached
      ? await this.deps.apps.getCached(id)
      : await this.deps.apps.get(id);
    if (!app || !app.listed) {
      throw new NotFoundError(`No app '${id}' in the catalog`);
    }
    return app;
  }

  async getApp(who: Caller, id: string): Promise<CatalogApp> {
    const app = await this.listedApp(id);
    const mine = await this.deps.requests.latestByRequester(who.userRef);
    return AppCatalogService.toCatalogApp(
      app,
      await this.deps.directory.getPerson(who.userRef),
      mine,
      (await this.deps.settings.get()).access,
    );
  }

  async getPeers(who: Caller, id: string): Promise<AppPeers> {
    await this.listedApp(id, true);
    const { peers, settings } = this.deps;
    if (!peers) throw new NotFoundError('Peer usage is not available');
    return peers.details(
      await peers.viewer(who.userRef),
      await settings.get(),
      id,
    );
  }

  /** Who the caller may request access for: the rule, and their direct reports under `reports`. */
  async onBehalfOptions(who: Caller): Promise<OnBehalfOptions> {
    const rule = (await this.deps.settings.get()).onBehalf ?? 'reports';
    const reports =
      rule === 'reports' && this.deps.usage
        ? await this.deps.usage.reportsOf(who.userRef)
        : [];
    return { rule, reports };
  }

  async getApproverPreview(
    who: Caller,
    appId: string,
    tierId: string,
  ): Promise<ApproverPreview> {
    const app = await this.listedApp(appId);
    const tier = app.tiers.find(t => t.id === tierId);
    if (!tier) {
      throw new NotFoundError(`App '${app.id}' has no tier '${tierId}'`);
    }
    const { resolver, settings, directory } = this.deps;
    const plan = await resolver.plan({
      app,
      tier,
      requesterRef: who.userRef,
      settings: await settings.get(),
    });
    const levels = await Promise.all(
      plan.levels.map(async l => ({
        level: l.level,
        fallback: l.fallback,
        ...(l.awaitsAdmin ? { awaitsAdmin: true } : {}),
        approvers: await Promise.all(
          l.approvers.map(async ref => ({
            ref,
            displayName: ref.startsWith('user:')
              ? (
                  await directory.getPerson(ref)
                )?.displayName
              : undefined,
          })),
        ),
      })),
    );
    const seatWarning = await this.deps.seats?.forRequester(app.id, tier.id);
    return {
      needsApproval: plan.needsApproval,
      levels,
      ...(seatWarning ? { seatWarning } : {}),
    };
  }

  /** Apps the caller's peers use most that the caller has neither been granted nor asked for. */
  async listRecommendations(
    who: Caller,
    limit: number,
  ): Promise<{ items: Recommendation[] }> {
    const { peers, usage, directory, requests, apps, settings } = this.deps;
    if (!peers || !usage) return { items: [] };
    const person = await directory.getPerson(who.userRef);
    const viewer = await peers.viewer(who.userRef, person);
    const mine = await requests.latestByRequester(who.userRef);
    const excluded = new Set([
      ...(await usage.appsOf(who.userRef)),
      ...mine.keys(),
    ]);
    const currentSettings = await settings.get();
    const recs = await peers.recommendations(
      viewer,
      currentSettings,
      await apps.listedIds(),
      excluded,
      async ref => ref.replace(/^group:[^/]+\//, ''),
      limit,
    );
    const items: Recommendation[] = [];
    for (const r of recs) {
      const app = await apps.getCached(r.appId);
      if (app) {
        items.push({
          ...r,
          app: AppCatalogService.toCatalogApp(
            app,
            person,
            mine,
            currentSettings.access,
          ),
        });
      }
    }
    return { items };
  }

  /**
   * Listed apps for a search index, by name: what anyone may find, nothing
   * about any person. Read uncached, so a refresh sees the latest admin save.
   */
  async listIndexed(query: {
    limit: number;
    cursor?: string;
  }): Promise<IndexedAppPage> {
    const page = await this.deps.apps.list({
      listed: true,
      limit: query.limit,
      cursor: query.cursor,
    });
    return {
      items: page.items.map(app => ({
        id: app.id,
        name: app.name,
        vendor: app.vendor,
        category: app.category,
        description: app.description,
        tiers: app.tiers.map(t => ({
          id: t.id,
          name: t.name,
          description: t.description,
        })),
        updatedAt: app.updatedAt,
      })),
      nextCursor: page.nextCursor,
    };
  }

  async listCategories(): Promise<{ items: string[] }> {
    return { items: await this.deps.apps.categories() };
  }
}
