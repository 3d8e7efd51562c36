import { Knex } from 'knex';
import {
  AuthService,
  DatabaseService,
  LifecycleService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { EventsService } from '@backstage/plugin-events-node';
import {
  APP_ACCESS_APPS_CHANGED_TOPIC,
  AppAccessAppsChangedEvent,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessDirectory,
  AppAccessFulfiller,
  AppAccessFulfillerConnection,
  AppAccessFulfillmentApi,
  AppAccessModuleInfo,
  AppAccessNotifier,
  AppAccessUsageApi,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { AppStore } from './database/AppStore';
import { ApprovalTaskStore } from './database/ApprovalTaskStore';
import { AuditEventStore } from './database/AuditEventStore';
import { OutboxStore } from './database/OutboxStore';
import { RequestStore } from './database/RequestStore';
import { GrantStore } from './database/GrantStore';
import { SettingsStore, settingsFromConfig } from './database/SettingsStore';
import { UsageStore } from './database/UsageStore';
import { CachingUsageStore, PeerReads } from './database/PeerReads';
import { PeerUsage } from './usage/PeerUsage';
import { CatalogPeopleSync } from './usage/DirectorySync';
import { importUsageSeeds } from './usage/UsageSeedImporter';
import { StoredPeopleDirectory } from './usage/StoredPeopleDirectory';
import { connectDatabase, migrateKnex } from './database/migrations';
import {
  CatalogDirectory,
  CompositeDirectory,
} from './catalog/CatalogDirectory';
import { SeedImporter } from './catalog/SeedImporter';
import { ApprovalPolicyResolver } from './workflow/ApprovalPolicyResolver';
import { publicRequest, RequestWorkflow } from './workflow/RequestWorkflow';
import { ReminderTask } from './workflow/ReminderTask';
import { PersonMatcher } from './workflow/PersonMatcher';
import { OutboxWorker, OutboxWorkerOptions } from './outbox/OutboxWorker';
import {
  createAuditTicketHandler,
  createFulfillHandler,
  createNotifyHandler,
  createRevokeHandler,
} from './outbox/jobHandlers';
import { AccessLifecycle } from './workflow/AccessLifecycle';
import { ManualFulfiller } from './builtins/ManualFulfiller';
import {
  AccessService,
  AppAccessServices,
  AppAdminService,
  AuditService,
  ChecklistService,
  AppCatalogService,
  LeaverService,
  OutboxService,
  PersonAccessService,
  RequestService,
  SettingsService,
  UsageInsightService,
} from './services';
import { UsageInsightStore } from './database/UsageInsightStore';
import { UsageInsight } from './usage/UsageInsight';
import { SeatWarnings } from './usage/seatWarning';
import { LeaverStore } from './database/LeaverStore';
import { LeaverWorkflow } from './workflow/LeaverWorkflow';
import { BackstageNotifier } from './builtins/BackstageNotifier';
import { LiveUpdatePublisher } from './outbox/liveUpdates';
import { ModuleRegistry } from './modules/ModuleRegistry';
import { ReclaimStore } from './database/ReclaimStore';
import {
  DEFAULT_REMINDER_DAYS,
  ReclaimWorkflow,
} from './workflow/ReclaimWorkflow';
import { CampaignService } from './services/CampaignService';

export type AppAccessEngineOptions = {
  config: RootConfigService;
  logger: LoggerService;
  /** Either the plugin's database service or, in tests, a Knex client. */
  database?: DatabaseService;
  knex?: Knex;
  scheduler?: SchedulerService;
  lifecycle?: LifecycleService;
  auth?: AuthService;
  catalog?: CatalogService;
  notifications?: NotificationService;
  /** Backstage signals: live updates of the pages after each notice. */
  signals?: LiveUpdatePublisher;
  /**
   * Backstage's events service: each admin save of an app is published on
   * `app-access.apps.changed`, which the search collator module follows.
   */
  events?: Pick<EventsService, 'publish'>;
  /** Replaces the catalog directory (tests). */
  directory?: AppAccessDirectory;
  directories?: AppAccessDirectory[];
  fulfillers?: AppAccessFulfiller[];
  notifiers?: AppAccessNotifier[];
  /** What each installed vendor module reported about itself. */
  modules?: AppAccessModuleInfo[];
  /** Random source for backoff jitter (tests). */
  random?: () => number;
  /** The clock of campaign routes and passes (tests move time forward). */
  clock?: () => Date;
};

const HOUR_MS = 3600_000;

/**
 * Everything App Access runs, wired together: stores, workflow, outbox
 * worker, reminders and the seed import. The plugin builds one; tests build
 * one on a test database with fake vendors.
 */
export class AppAccessEngine {
  private constructor(
    readonly db: Knex,
    readonly apps: AppStore,
    readonly requests: RequestStore,
    readonly tasks: ApprovalTaskStore,
    readonly events: AuditEventStore,
    readonly outbox: OutboxStore,
    readonly settings: SettingsStore,
    readonly grants: GrantStore,
    readonly access: AccessLifecycle,
    readonly directory: AppAccessDirectory,
    readonly resolver: ApprovalPolicyResolver,
    readonly workflow: RequestWorkflow,
    readonly worker: OutboxWorker,
    readonly reminders: ReminderTask,
    readonly seeds: SeedImporter,
    readonly usage: UsageStore,
    readonly peers: PeerUsage,
    private readonly options: AppAccessEngineOptions,
    private readonly fulfillerMap: Map<string, AppAccessFulfiller>,
    private readonly notifierMap: Map<string, AppAccessNotifier>,
    readonly modules: ModuleRegistry,
  ) {}

  static async create(
    options: AppAccessEngineOptions,
  ): Promise<AppAccessEngine> {
    const { config, logger } = options;
    const migrate = {
      lockTimeoutMs:
        (config.getOptionalNumber(
          'appAccess.database.migrationLockTimeoutSeconds',
        ) ?? 120) * 1000,
      logger,
    };
    let db: Knex;
    if (options.knex) {
      db = options.knex;
      await migrateKnex(db, migrate);
    } else if (options.database) {
      db = await connectDatabase(options.database, migrate);
    } else {
      throw new Error(
        'AppAccessEngine needs a database service or a Knex client',
      );
    }

    const configDefaults = settingsFromConfig(config);
    const apps = new AppStore(db);
    const requests = new RequestStore(db);
    const tasks = new ApprovalTaskStore(db);
    const events = new AuditEventStore(db);
    const outbox = new OutboxStore(db);
    const settings = new SettingsStore(db, configDefaults);
    const grants = new GrantStore(db);

    const directories: AppAccessDirectory[] = [];
    if (options.directory) {
      directories.push(options.directory);
    } else if (options.catalog && options.auth) {
      directories.push(new CatalogDirectory(options.catalog, options.auth));
    }
    directories.push(...(options.directories ?? []));
    // People are read through a short per-person cache that this process's
    // people writes invalidate (see PeerReads).
    const peerReads = new PeerReads(db, {
      preparedStatements:
        config.getOptionalBoolean('appAccess.database.preparedStatements') ??
        true,
    });
    const usage: UsageStore = new CachingUsageStore(db, peerReads);
    // Last resort: people synced from Okta that the catalog does not have.
    directories.push(new StoredPeopleDirectory(usage));
    const directory = new CompositeDirectory(directories);

    const fulfillerMap = new Map<string, AppAccessFulfiller>();
    for (const f of [new ManualFulfiller(), ...(options.fulfillers ?? [])]) {
      for (const key of f.handles) fulfillerMap.set(key, f);
    }
    const notifierMap = new Map<string, AppAccessNotifier>();
    if (options.notifications) {
      notifierMap.set(
        'backstage',
        new BackstageNotifier(options.notifications, directory),
      );
    }
    for (const n of options.notifiers ?? []) notifierMap.set(n.id, n);

    const resolver = new ApprovalPolicyResolver(directory);
    // The workflow wakes the worker after each commit; the worker needs the
    // workflow for its handlers, so the link is made through this holder.
    const wake = { worker: undefined as OutboxWorker | undefined };
    const workflow = new RequestWorkflow({
      db,
      apps,
      requests,
      tasks,
      events,
      outbox,
      settings,
      grants,
      resolver,
      persons: new PersonMatcher(directory),
      limits: {
        maxOpenIntakePerPerson:
          config.getOptionalNumber('appAccess.intake.maxOpenPerPerson') ?? 5,
      },
      channels: { available: new Set(notifierMap.keys()) },
      onEnqueued: () => wake.worker?.poke(),
    });

    const access = new AccessLifecycle({
      db,
      apps,
      grants,
      workflow,
      onEnqueued: () => wake.worker?.poke(),
    });
    const appBaseUrl =
      config.getOptionalString('app.baseUrl') ?? 'http://localhost:3000';
    const handlerDeps = {
      workflow,
      requests,
      tasks,
      apps,
      settings,
      grants,
      lifecycle: access,
      directory,
      notifiers: notifierMap,
      fulfillers: fulfillerMap,
      logger,
      appBaseUrl,
      liveUpdates: options.signals,
      seats: new SeatWarnings(new UsageInsightStore(db)),
      reclaims: new ReclaimStore(db),
    };
    const workerOptions: OutboxWorkerOptions = {
      store: outbox,
      logger,
      handlers: {
        notify: createNotifyHandler(handlerDeps),
        fulfill: createFulfillHandler(handlerDeps),
        'audit-ticket': createAuditTicketHandler(handlerDeps),
        revoke: createRevokeHandler(handlerDeps),
      },
      giveUpAfterMs:
        (config.getOptionalNumber('appAccess.outbox.giveUpAfterHours') ?? 24) *
        HOUR_MS,
      maxAttempts: config.getOptionalNumber('appAccess.outbox.maxAttempts'),
      baseDelayMs:
        (config.getOptionalNumber('appAccess.outbox.baseDelaySeconds') ?? 5) *
        1000,
      maxDelayMs:
        (config.getOptionalNumber('appAccess.outbox.maxDelaySeconds') ?? 3600) *
        1000,
      pollIntervalMs:
        config.getOptionalNumber('appAccess.outbox.pollIntervalMs') ?? 1000,
      leaseMs:
        (config.getOptionalNumber('appAccess.outbox.leaseSeconds') ?? 120) *
        1000,
      concurrency:
        config.getOptionalNumber('appAccess.outbox.concurrency') ?? 4,
      reserved: {
        kinds: ['notify'],
        concurrency:
          config.getOptionalNumber('appAccess.outbox.noticeConcurrency') ?? 2,
      },
      shutdownGraceMs:
        (config.getOptionalNumber('appAccess.outbox.shutdownGraceSeconds') ??
          10) * 1000,
      random: options.random,
    };
    const worker = new OutboxWorker(workerOptions);
    wake.worker = worker;
    for (const [key, value] of [
      [
        'appAccess.intake.maxOpenPerPerson',
        config.getOptionalNumber('appAccess.intake.maxOpenPerPerson'),
      ],
      [
        'appAccess.outbox.maxAttempts',
        config.getOptionalNumber('appAccess.outbox.maxAttempts'),
      ],
      [
        'appAccess.outbox.leaseSeconds',
        config.getOptionalNumber('appAccess.outbox.leaseSeconds'),
      ],
      [
        'appAccess.outbox.giveUpAfterHours',
        config.getOptionalNumber('appAccess.outbox.giveUpAfterHours'),
      ],
      [
        'appAccess.outbox.concurrency',
        config.getOptionalNumber('appAccess.outbox.concurrency'),
      ],
    ] as const) {
      if (value !== undefined && !(value > 0)) {
        throw new Error(`Invalid config ${key}: must be a positive number`);
      }
    }
    const noticeConcurrency = config.getOptionalNumber(
      'appAccess.outbox.noticeConcurrency',
    );
    if (
      noticeConcurrency !== undefined &&
      !(Number.isInteger(noticeConcurrency) && noticeConcurrency >= 0)
    ) {
      throw new Error(
        'Invalid config appAccess.outbox.noticeConcurrency: must be a whole number, 0 or more',
      );
    }

    const reminders = new ReminderTask({ tasks, settings, workflow, logger });
    const seeds = new SeedImporter(db, apps, logger);
    const peers = new PeerUsage(usage, directory, peerReads);

    const engine = new AppAccessEngine(
      db,
      apps,
      requests,
      tasks,
      events,
      outbox,
      settings,
      grants,
      access,
      directory,
      resolver,
      workflow,
      worker,
      reminders,
      seeds,
      usage,
      peers,
      options,
      fulfillerMap,
      notifierMap,
      new ModuleRegistry(options.modules),
    );
    engine.workerOptions = workerOptions;
    return engine;
  }

  private workerOptions?: OutboxWorkerOptions;

  /**
   * Another outbox worker on the same database with the same handlers, as a
   * second backend replica would run (tests of the fenced claims).
   */
  newWorker(overrides: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
    return new OutboxWorker({ ...this.workerOptions!, ...overrides });
  }

  private appBaseUrl() {
    return (
      this.options.config.getOptionalString('app.baseUrl') ??
      'http://localhost:3000'
    );
  }

  /** What approval channels may do for an approver (see AppAccessDecisionApi). */
  decisionApi(): AppAccessDecisionApi {
    return {
      decide: async input => {
        const person = await this.directory.getPerson(input.approverRef);
        const updated = await this.workflow.decide(
          {
            userRef: input.approverRef,
            ownershipRefs: [input.approverRef, ...(person?.groups ?? [])],
          },
          input.requestId,
          { decision: input.decision, comment: input.comment },
          { channel: input.channel, taskId: input.taskId },
        );
        return this.workflow.withDetails(updated);
      },
      answerReclaim: input =>
        this.reclaims.answer(input, this.now(), 'notAllowed'),
      // Channels show requests to requesters and approvers: failures in plain words.
      getRequest: async id =>
        this.workflow.withDetails(await this.workflow.getRequest(id), 'party'),
      getTask: id => this.tasks.getTask(id),
      getPerson: ref => this.directory.getPerson(ref),
      findPersonByEmail: async email =>
        (await this.directory.findPersonByEmail?.(email)) ?? undefined,
      identify: async ({ email, externalId, channel }) => {
        const ambiguous = async (
          who: string,
          what: string,
          people: DirectoryPerson[],
        ) => {
          await this.db.transaction(tx =>
            this.events.addEvent(
              {
                actor: `${channel}:${who.trim().toLowerCase()}`,
                type: 'identity_ambiguous',
                comment: `A ${channel} account matched ${people.length} Backstage users by ${what}; it decides nothing`,
                data: { channel, people: people.map(p => p.ref) },
              },
              tx,
            ),
          );
          return {
            refused: `the ${what} of your account belongs to ${
              people.length
            } Backstage users (${people
              .map(p => p.ref)
              .join(
                ', ',
              )}), so it cannot say which of them you are: please decide in the portal`,
          };
        };
        // An account id the catalog carries (e.g. the Entra ID object id)
        // names the person whatever their email says; email is the fallback.
        if (externalId?.value.trim() && externalId.annotations.length) {
          const byId =
            (await this.directory.findPeopleByAnnotation?.(
              externalId.annotations,
              externalId.value,
            )) ?? [];
          if (byId.length === 1) return { person: byId[0] };
          if (byId.length > 1) {
            return ambiguous(externalId.value, externalId.label, byId);
          }
        }
        if (!email?.trim()) {
          return {
            refused: externalId
              ? `no Backstage user has the ${externalId.label} of your account, and it has no email address`
              : 'your account has no email address to match you with a Backstage user',
          };
        }
        const people = (await this.directory.findPeopleByEmail?.(email)) ?? [];
        if (people.length === 1) return { person: people[0] };
        if (people.length === 0) {
          return {
            refused: externalId
              ? `no Backstage user has the ${externalId.label} or the email address of your account`
              : 'no Backstage user has the email address of your account',
          };
        }
        return ambiguous(email, 'email address', people);
      },
      getSettings: () => this.settings.get(),
      portalUrl: path =>
        `${this.appBaseUrl()}${path.startsWith('/') ? '' : '/'}${path}`,
    };
  }

  /** What fulfillers may read while they file a ticket. */
  fulfillerConnection(): AppAccessFulfillerConnection {
    return {
      getRequest: async id =>
        this.workflow.withDetails(await this.workflow.getRequest(id)),
      getPerson: ref => this.directory.getPerson(ref),
      getSettings: () => this.settings.get(),
    };
  }

  /** What followers may do later, e.g. when following a ticket. */
  fulfillmentApi(): AppAccessFulfillmentApi {
    return {
      listAwaiting: async (fulfilledBy, limit = 100) =>
        (await this.requests.listAwaiting(fulfilledBy, limit)).map(
          publicRequest,
        ),
      complete: async (requestId, result) => {
        // A follower completes with what IT answered on the ticket (closed
        // as won't-do and why): words for the requester, unlike a vendor error.
        await this.workflow.completeFulfillment(requestId, {
          status: result.status,
          message: result.message,
          requesterMessage:
            result.status === 'failed' ? result.message : undefined,
        });
      },
      note: async (requestId, text) => {
        await this.workflow.addFulfillmentNote(requestId, text);
      },
      getSettings: () => this.settings.get(),
      listRemovalsAwaiting: async (removedBy, limit = 100) =>
        (await this.grants.removalsAwaiting(removedBy, limit)).map(
          ({ noticeSentFor: _n, removalHandler: _h, ...grant }) => ({
            grant,
            externalRef: grant.removalRef,
          }),
        ),
      completeRemoval: async (grantId, result) => {
        await this.access.recordRemoval(
          grantId,
          result.status === 'removed'
            ? { status: 'removed', message: result.message }
            : {
                status: 'removal_failed',
                error:
                  result.message ??
                  'The removal ticket was closed without removing the access',
              },
        );
      },
    };
  }

  /** The registered fulfiller or notifier a "Send test" is about. */
  moduleFor(kind: 'fulfiller' | 'notifier', id: string) {
    return kind === 'fulfiller'
      ? this.fulfillerMap.get(id)
      : this.notifierMap.get(id);
  }

  /** What directory and usage sources (the Okta sync) may write. */
  usageApi(): AppAccessUsageApi {
    return {
      upsertPeople: async (people, source, options) => {
        await this.usage.upsertPeople(people, source, options);
        // A person the sync saw deactivated has left: their open requests
        // and approval tasks are handled now.
        if (people.some(p => p.active === false)) await this.sweepLeavers();
      },
      setAssignments: (source, assignments, options) =>
        this.usage.setAssignments(source, assignments, options),
      removeAssignments: (source, pairs, options) =>
        this.usage.removeAssignments(source, pairs, options),
      markLastUsed: pairs => this.usage.markLastUsed(pairs),
      recomputeRollups: () => this.usage.recomputeRollups(),
      refsByEmail: emails => this.usage.refsByEmail(emails),
      sourcesOf: refs => this.usage.sourcesOf(refs),
      getSyncState: async id => {
        const state = await this.usage.getSync(id);
        if (!state) return undefined;
        const { id: _id, ...rest } = state;
        return rest;
      },
      saveSyncState: (id, changes) => this.usage.saveSync(id, changes),
      upsertDiscoveredApps: async discovered => {
        const byKey = new Map<string, string>();
        for (const key of new Set(discovered.map(d => d.externalKey))) {
          const known = await this.apps.idsByExternalId(
            key,
            discovered
              .filter(d => d.externalKey === key)
              .map(d => d.externalId),
          );
          for (const d of discovered.filter(x => x.externalKey === key)) {
            let id = known.get(d.externalId);
            if (!id) {
              const slug =
                d.name
                  .toLowerCase()
                  .replace(/[^a-z0-9]+/g, '-')
                  .replace(/^-+|-+$/g, '')
                  .slice(0, 60) || 'app';
              id = `${slug}-${d.externalId
                .toLowerCase()
                .replace(/[^a-z0-9]/g, '')
                .slice(-6)}`;
              const candidate = id;
              await this.db.transaction(async tx => {
                if (await this.apps.get(candidate, tx)) return;
                await this.apps.save(
                  {
                    id: candidate,
                    name: d.name.slice(0, 200),
                    category: 'Uncategorized',
                    url: d.url,
                    logo: d.logoUrl ? { url: d.logoUrl } : undefined,
                    listed: false,
                    externalIds: { [key]: d.externalId },
                    tiers: [],
                  },
                  { source: 'directory', adminModified: false },
                  tx,
                );
              });
            }
            byKey.set(`${key}:${d.externalId}`, id);
          }
        }
        return byKey;
      },
    };
  }

  /**
   * Publishes an admin's save on the events service, without holding up the
   * response: the save is committed, and a lost event only delays the search
   * index until its next scheduled run.
   */
  private publishAppChanged(event: AppAccessAppsChangedEvent) {
    const { events, logger } = this.options;
    if (!events) return;
    events
      .publish({ topic: APP_ACCESS_APPS_CHANGED_TOPIC, eventPayload: event })
      .catch(error =>
        logger.warn(
          `Could not publish ${APP_ACCESS_APPS_CHANGED_TOPIC} for app '${event.appId}': ${error}`,
        ),
      );
  }

  private leaverWorkflow?: LeaverWorkflow;

  /** People who left the directory: their open requests and approval tasks (see LeaverWorkflow). */
  get leavers(): LeaverWorkflow {
    if (!this.leaverWorkflow) {
      this.leaverWorkflow = new LeaverWorkflow({
        db: this.db,
        apps: this.apps,
        requests: this.requests,
        tasks: this.tasks,
        events: this.events,
        outbox: this.outbox,
        settings: this.settings,
        leavers: new LeaverStore(this.db),
        persons: new PersonMatcher(this.directory),
        directory: this.directory,
        channels: { available: new Set(this.notifierMap.keys()) },
        logger: this.options.logger,
        onEnqueued: () => this.worker.poke(),
      });
    }
    return this.leaverWorkflow;
  }

  /** Runs the leaver sweep after a directory write; a failure is logged, never thrown at the sync. */
  private async sweepLeavers() {
    try {
      await this.leavers.sweep();
    } catch (error) {
      this.options.logger.warn(
        `Handling people who left the directory failed: ${
          (error as Error).message
        }`,
      );
    }
  }

  installedModules() {
    return {
      fulfillers: [...this.fulfillerMap.keys()].sort(),
      notifiers: [...this.notifierMap.keys()].sort(),
    };
  }

  /** The services the HTTP API (and any other surface) is handed; built once. */
  services(): AppAccessServices {
    if (!this.builtServices) {
      const {
        db,
        apps,
        requests,
        tasks,
        events,
        outbox,
        settings,
        workflow,
        resolver,
        directory,
        peers,
        usage,
      } = this;
      this.builtServices = {
        catalog: new AppCatalogService({
          apps,
          requests,
          settings,
          directory,
          resolver,
          peers,
          usage,
          seats: this.seatWarnings,
        }),
        requests: new RequestService({
          requests,
          tasks,
          workflow,
          seats: this.seatWarnings,
        }),
        settings: new SettingsService({
          db,
          settings,
          events,
          usage,
          modules: {
            list: () => this.installedModules(),
            integrations: () => this.modules.integrations(),
            find: (kind, id) => this.moduleFor(kind, id),
          },
        }),
        apps: new AppAdminService({
          db,
          apps,
          events,
          fulfillerFor: type => this.fulfillerMap.get(type),
          onAppChanged: event => this.publishAppChanged(event),
        }),
        outbox: new OutboxService({
          outbox,
          workflow,
          onJobRevived: () => this.worker.poke(),
        }),
        audit: new AuditService({ events }),
        checklist: new ChecklistService({ events, requests }),
        people: new PersonAccessService({ requests, directory }),
        access: new AccessService({
          apps,
          grants: this.grants,
          access: this.access,
          workflow,
          reclaims: this.reclaims,
        }),
        leavers: new LeaverService({
          leavers: new LeaverStore(db),
          requests,
        }),
        usage: new UsageInsightService({ insight: this.insight, apps }),
        campaigns: new CampaignService({
          reclaims: this.reclaims,
          now: () => this.now(),
        }),
      };
    }
    return this.builtServices;
  }

  private builtServices?: AppAccessServices;

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private builtReclaims?: ReclaimWorkflow;

  /** Reclamation campaigns (see ReclaimWorkflow). */
  get reclaims(): ReclaimWorkflow {
    this.builtReclaims ??= new ReclaimWorkflow({
      db: this.db,
      apps: this.apps,
      grants: this.grants,
      reclaims: new ReclaimStore(this.db),
      events: this.events,
      writer: this.workflow.transitions,
      grantFlow: this.workflow.grantFlow,
      onEnqueued: () => this.worker.poke(),
    });
    return this.builtReclaims;
  }

  /**
   * Days before a campaign's deadline that holders are reminded:
   * appAccess.campaigns.reminderDays, else 3 and 1.
   */
  reminderDays(): number[] {
    const days = this.options.config.getOptional<unknown>(
      'appAccess.campaigns.reminderDays',
    );
    if (days === undefined) return DEFAULT_REMINDER_DAYS;
    if (
      !Array.isArray(days) ||
      !days.every(d => Number.isInteger(d) && d >= 1 && d <= 90)
    ) {
      throw new Error(
        'Invalid config appAccess.campaigns.reminderDays: a list of whole days between 1 and 90',
      );
    }
    return days as number[];
  }

  private builtInsight?: UsageInsight;

  private get seatWarnings(): SeatWarnings {
    return new SeatWarnings(new UsageInsightStore(this.db));
  }

  /** Usage insight and its daily snapshot. */
  get insight(): UsageInsight {
    this.builtInsight ??= new UsageInsight(new UsageInsightStore(this.db));
    return this.builtInsight;
  }

  private stopping = false;

  /**
   * Days before its end that a holder is told: the settings page's value,
   * else appAccess.access.expiryNoticeDays, else 3. Read on every pass, so a
   * change applies without a restart.
   */
  async expiryNoticeDays(): Promise<number> {
    return (await this.settings.get()).access.expiryNoticeDays;
  }

  /** Imports seed files, schedules reminders and starts the outbox worker. */
  async start() {
    const { config, scheduler, lifecycle, logger } = this.options;
    const seedFiles =
      config.getOptionalStringArray('appAccess.catalog.seedFiles') ?? [];
    await this.seeds.importFiles(seedFiles);
    const usageFiles =
      config.getOptionalStringArray('appAccess.usage.seedFiles') ?? [];
    if (usageFiles.length) {
      await importUsageSeeds(usageFiles, this.usage, logger);
      await this.usage.recomputeRollups();
    }

    const { catalog, auth } = this.options;
    if (scheduler && catalog && auth && !this.options.directory) {
      const peopleSync = new CatalogPeopleSync({
        catalog,
        auth,
        usage: this.usage,
        logger,
        onLeavers: () => this.sweepLeavers(),
      });
      await scheduler.scheduleTask({
        id: 'app-access-catalog-people',
        frequency: {
          minutes:
            config.getOptionalNumber('appAccess.directory.syncEveryMinutes') ??
            30,
        },
        timeout: { minutes: 30 },
        initialDelay: { seconds: 15 },
        scope: 'global',
        fn: async () => {
          await peopleSync.run();
        },
      });
      // The catalog fills up shortly after start-up; copy its people as soon
      // as it has some instead of waiting for the first scheduled run.
      const pause = () => new Promise(r => setTimeout(r, 10_000));
      void (async () => {
        for (let i = 0; i < 30 && !this.stopping; i++) {
          await pause();
          if (this.stopping) return;
          try {
            if ((await peopleSync.run()).people > 0) return;
          } catch (error) {
            logger.warn(
              `Copying people from the catalog failed: ${
                (error as Error).message
              }`,
            );
          }
        }
      })();
    }

    if (scheduler) {
      // Access whose end has passed is removed; holders are told before.
      const expiryMinutes =
        config.getOptionalNumber('appAccess.access.checkEveryMinutes') ?? 15;
      await scheduler.scheduleTask({
        id: 'app-access-expiry',
        frequency: { minutes: expiryMinutes },
        // A replica killed mid-pass holds the task until this runs out (the
        // fault suite saw expiry stop for 10 minutes after a kill -9); a
        // pass is safe to repeat (one active → removing move wins), so keep
        // it near the cadence.
        timeout: { minutes: Math.min(10, Math.max(1, expiryMinutes)) },
        initialDelay: { seconds: 45 },
        scope: 'global',
        fn: async () => {
          await this.access.runExpiry(
            new Date(),
            await this.expiryNoticeDays(),
          );
        },
      });
    }

    if (scheduler) {
      const minutes =
        config.getOptionalNumber('appAccess.reminders.checkEveryMinutes') ?? 15;
      await scheduler.scheduleTask({
        id: 'app-access-reminders',
        frequency: { minutes },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 30 },
        scope: 'global',
        fn: async () => {
          await this.reminders.run();
        },
      });
      // Leavers are handled right after the sync that saw them go; this
      // catches any a crash or a conflict left behind.
      await scheduler.scheduleTask({
        id: 'app-access-leavers',
        frequency: { minutes },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 45 },
        scope: 'global',
        fn: async () => {
          await this.sweepLeavers();
        },
      });
    }

    if (scheduler) {
      // Reclamation campaigns: reminders, the deadline, removals finished.
      const campaignMinutes =
        config.getOptionalNumber('appAccess.campaigns.checkEveryMinutes') ?? 15;
      await scheduler.scheduleTask({
        id: 'app-access-campaigns',
        frequency: { minutes: campaignMinutes },
        // Safe to repeat and to run on two replicas (fenced moves).
        timeout: { minutes: Math.min(10, Math.max(1, campaignMinutes)) },
        initialDelay: { seconds: 50 },
        scope: 'global',
        fn: async () => {
          await this.reclaims.runPass(this.now(), this.reminderDays());
        },
      });
      // Tiers' auto-reclaim policies, once a day.
      await scheduler.scheduleTask({
        id: 'app-access-auto-reclaim',
        frequency: { hours: 24 },
        timeout: { minutes: 30 },
        initialDelay: { minutes: 5 },
        scope: 'global',
        fn: async () => {
          const started = await this.reclaims.runPolicies(this.now());
          if (started.length) {
            logger.info(`Auto-reclaim: ${started.length} campaign(s) started`);
          }
        },
      });
    }

    if (scheduler) {
      // The chart's daily point: every run writes today's snapshot unless a
      // run (on any replica) already did, so hourly runs cost one read.
      await scheduler.scheduleTask({
        id: 'app-access-usage-snapshot',
        frequency: {
          minutes:
            config.getOptionalNumber('appAccess.usage.snapshotEveryMinutes') ??
            60,
        },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 60 },
        scope: 'global',
        fn: async () => {
          const written = await this.insight.snapshot(new Date());
          if (written) logger.info(`Usage snapshot: ${written} row(s)`);
        },
      });
    }

    const client = String(this.db.client.config.client);
    if (client.includes('sqlite')) {
      // One process owns a SQLite file; whatever it had claimed before a
      // restart is retried now rather than after the lease runs out.
      const released = await this.outbox.releaseAllClaims();
      if (released)
        logger.info(
          `Retrying ${released} outbox job(s) claimed before the restart`,
        );
    }

    const begin = () => {
      this.worker.start();
      logger.info(`App Access outbox worker ${this.worker.workerId} started`);
    };
    if (lifecycle) {
      lifecycle.addStartupHook(begin);
      lifecycle.addShutdownHook(() => {
        this.stopping = true;
        return this.worker.stop();
      });
    } else {
      begin();
    }
  }
}
