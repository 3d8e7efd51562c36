import { Knex } from 'knex';
// Test-only entry point (see coreTestBackend.ts).
// eslint-disable-next-line @backstage/no-undeclared-imports
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  AccessGrant,
  App,
  ReclaimCampaign,
  ReclaimQuestion,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  AppAccessFulfiller,
  AppAccessFulfillmentApi,
  AppAccessMessage,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { AppAccessEngine } from '../AppAccessEngine';

/** One outbox worker, as one backend replica runs it. */
export type TestOutboxWorker = {
  /** Claims and runs one due job (at `now`); how many it ran (0 or 1). */
  runOnce(now?: Date): Promise<number>;
};

/**
 * The App Access core on a test database, without HTTP: what tests of
 * fulfillers need to drive the access lifecycle (grant, expiry, removal)
 * with an injected clock and more than one outbox worker.
 */
export type AccessTestEngine = {
  submit(
    requester: string,
    body: {
      appId: string;
      tierId: string;
      justification?: string;
      durationDays?: number;
    },
  ): Promise<{ id: string; status: string }>;
  approve(
    approver: string,
    requestId: string,
    durationDays?: number,
  ): Promise<{ id: string; status: string }>;
  getRequest(id: string): Promise<{ id: string; status: string }>;
  /** The grant a fulfilled request made. */
  grantFor(requestId: string): Promise<AccessGrant | undefined>;
  /** Audit event types of a request, oldest first. */
  eventTypes(requestId: string): Promise<string[]>;
  /** The holder gives the access back ("Remove my access"). */
  removeMine(holder: string, grantId: string): Promise<AccessGrant>;
  /** An admin revokes one grant, or every holder of a tier. */
  revoke(admin: string, grantId: string, reason: string): Promise<AccessGrant>;
  revokeTier(
    admin: string,
    appId: string,
    tierId: string,
    reason: string,
  ): Promise<AccessGrant[]>;
  /** The expiry pass, as the scheduler runs it, at `now`. */
  runExpiry(now: Date): Promise<{ removed: number; noticed: number }>;
  /** The engine's own worker. */
  worker: TestOutboxWorker;
  /** Another worker on the same database (a second replica), with its lease length. */
  newWorker(options?: { leaseMs?: number }): TestOutboxWorker;
  /** Runs due jobs until none is left (at `now`). */
  settle(now?: Date): Promise<void>;
  /** What followers get (complete removals, list those waiting for IT). */
  fulfillmentApi(): AppAccessFulfillmentApi;
  /** Outbox jobs by status, for assertions. */
  outboxCounts(): Promise<Record<string, number>>;
  /** Every message the portal channel (`backstage`) delivered. */
  messages: AppAccessMessage[];
  /** A sign-in to an app, as the Okta sync records it (lastUsed). */
  signIn(personRef: string, appId: string, at: Date): Promise<void>;
  /** An admin starts a reclamation campaign at `now`. */
  startCampaign(
    admin: string,
    body: {
      appId: string;
      tierId?: string;
      inactiveDays: number;
      answerDays: number;
    },
    now: Date,
  ): Promise<ReclaimCampaign>;
  getCampaign(id: string): Promise<ReclaimCampaign>;
  /** A campaign's questions. */
  campaignQuestions(id: string): Promise<ReclaimQuestion[]>;
  /** The holder answers from a channel, as channels do (the decision API). */
  answerReclaim(input: {
    questionId: string;
    personRef: string;
    answer: 'keep' | 'release';
    reason?: string;
    channel: string;
  }): Promise<ReclaimQuestion>;
  /** The campaigns' scheduled pass (reminders, deadline, completion) at `now`. */
  runCampaigns(
    now: Date,
  ): Promise<{ reminded: number; expired: number; completed: number }>;
};

class ListDirectory implements AppAccessDirectory {
  constructor(private readonly people: DirectoryPerson[]) {}
  async getPerson(ref: string) {
    return this.people.find(p => p.ref === ref);
  }
  async getGroupMembers(group: string) {
    return this.people.filter(p => p.groups.includes(group)).map(p => p.ref);
  }
  async findPersonByEmail(email: string) {
    return this.people.find(
      p => p.email?.toLowerCase() === email.toLowerCase(),
    );
  }
  async findPeopleByEmail(email: string) {
    return this.people.filter(
      p => p.email?.toLowerCase() === email.toLowerCase(),
    );
  }
}

export async function startAccessTestEngine(options: {
  knex: Knex;
  apps: App[];
  people: DirectoryPerson[];
  fulfillers: AppAccessFulfiller[];
  /** The `appAccess` config block. */
  config?: Record<string, unknown>;
}): Promise<AccessTestEngine> {
  const messages: AppAccessMessage[] = [];
  const engine = await AppAccessEngine.create({
    config: new ConfigReader({
      app: { baseUrl: 'http://portal.test' },
      appAccess: (options.config ?? {}) as JsonObject,
    }),
    logger: mockServices.logger.mock(),
    knex: options.knex,
    directory: new ListDirectory(options.people),
    fulfillers: options.fulfillers,
    notifiers: [
      {
        id: 'backstage',
        notify: async message => {
          messages.push(message);
          return { unreachable: [] };
        },
      },
    ],
  });
  await engine.seeds.importApps(options.apps);
  for (const f of options.fulfillers) {
    await f.connect?.(engine.fulfillerConnection());
  }
  const caller = async (ref: string) => ({
    userRef: ref,
    ownershipRefs: [
      ref,
      ...((await engine.directory.getPerson(ref))?.groups ?? []),
    ],
  });
  const strip = ({
    noticeSentFor: _n,
    removalHandler: _h,
    ...grant
  }: AccessGrant & { noticeSentFor?: string; removalHandler?: string }) =>
    grant;
  const far = () => new Date(Date.now() + 365 * 86_400_000);
  return {
    submit: async (requester, body) =>
      engine.workflow.submit(await caller(requester), {
        justification: 'Needed for work',
        ...body,
      }),
    approve: async (approver, requestId, durationDays) =>
      engine.workflow.decide(await caller(approver), requestId, {
        decision: 'approve',
        durationDays,
      }),
    getRequest: id => engine.workflow.getRequest(id),
    grantFor: async requestId => {
      const grant = await engine.grants.forRequest(requestId);
      if (!grant) return undefined;
      const { noticeSentFor: _n, removalHandler: _h, ...rest } = grant;
      return rest;
    },
    removeMine: async (holder, grantId) =>
      strip(await engine.access.removeMine(await caller(holder), grantId)),
    revoke: async (admin, grantId, reason) =>
      strip(await engine.access.revoke(await caller(admin), grantId, reason)),
    revokeTier: async (admin, appId, tierId, reason) =>
      (
        await engine.access.revokeTier(
          await caller(admin),
          appId,
          tierId,
          reason,
        )
      ).map(strip),
    eventTypes: async requestId =>
      (await engine.events.eventsForRequest(requestId)).map(e => e.type),
    runExpiry: async now =>
      engine.access.runExpiry(now, await engine.expiryNoticeDays()),
    worker: engine.worker,
    newWorker: (o = {}) => engine.newWorker(o),
    settle: async (now = far()) => {
      for (let i = 0; i < 200; i++) {
        if ((await engine.worker.runOnce(now)) === 0) return;
      }
      throw new Error('outbox did not settle');
    },
    fulfillmentApi: () => engine.fulfillmentApi(),
    outboxCounts: async () => {
      const rows = await options
        .knex('outbox')
        .select('status')
        .count<{ status: string; n: string | number }[]>('* as n')
        .groupBy('status');
      return Object.fromEntries(rows.map(r => [r.status, Number(r.n)]));
    },
    messages,
    signIn: (personRef, appId, at) =>
      engine
        .usageApi()
        .markLastUsed([{ personRef, appId, at: at.toISOString() }]),
    startCampaign: async (admin, body, now) =>
      engine.reclaims.start(await caller(admin), body, now),
    getCampaign: id => engine.reclaims.get(id),
    campaignQuestions: async id =>
      (await engine.reclaims.questions(id, { limit: 500 })).items,
    answerReclaim: input => engine.decisionApi().answerReclaim(input),
    runCampaigns: now => engine.reclaims.runPass(now),
  };
}
