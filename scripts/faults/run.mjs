#!/usr/bin/env node
// `yarn test:faults`: the example backend as N replicas on one fresh
// PostgreSQL database, the vendor fakes as local servers, requests over every
// fulfilment path and approval channel, and faults on a schedule while the
// work drains. Then checks from outside (API and the fakes' own records) and
// one summary line; exits 1 on any breach. See docs/reliability.md.
//
//   node scripts/faults/run.mjs [--profile short|full] [--replicas 2|3]
//                               [--ticketing jira|zendesk|email] [--keep]
//                               [--sabotage]
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  approvalMailRequest,
  checkApprovalMessages,
  checkDecisionsAndTimelines,
  checkFinalStates,
  checkOkta,
  checkOnBehalf,
  checkOutbox,
  checkRemovals,
  checkTickets,
  recordOktaRemovals,
} from './checks.mjs';
import { ReplicaClient } from './client.mjs';
import {
  ADMIN,
  APPROVER,
  L2_APPROVER,
  REQUESTERS,
  faultApps,
  writeDeployment,
} from './deployment.mjs';
import { schedule } from './faults.mjs';
import { checkNotices, percentile, stampMailArrivals } from './notices.mjs';
import { outputDir } from './paths.mjs';
import { PrivateCluster } from './postgres.mjs';
import {
  createDatabase,
  dropDatabase,
  queryDatabase,
  Replica,
  usePostgres,
} from './replicas.mjs';
import { startVendors } from './vendors.mjs';
import { Pool, Workload } from './workload.mjs';

/**
 * drainSecondsPerRequest: the drain time grows with the workload (at least
 * MIN_DRAIN_SECONDS); past it the runner waits on only while requests keep
 * reaching their end (see STALL_SECONDS), up to twice the drain time.
 */
const PROFILES = {
  short: {
    requests: 60,
    appsPerKind: 2,
    submitSeconds: 25,
    drainSecondsPerRequest: 2,
  },
  full: {
    requests: 1000,
    appsPerKind: 21,
    submitSeconds: 120,
    drainSecondsPerRequest: 0.6,
  },
};
const MIN_DRAIN_SECONDS = 120;
/** Past the drain time: stop waiting once nothing reached its end for this long. */
const STALL_SECONDS = 90;

const { values: options } = parseArgs({
  options: {
    profile: { type: 'string', default: 'short' },
    replicas: { type: 'string', default: '2' },
    ticketing: { type: 'string', default: 'jira' },
    keep: { type: 'boolean', default: false },
    // Plants one breach of each kind the fakes can show, to see the checks catch them.
    sabotage: { type: 'boolean', default: false },
  },
});
const profile = PROFILES[options.profile];
const replicaCount = Number(options.replicas);
if (!profile)
  throw new Error(`--profile: short or full, not ${options.profile}`);
if (![2, 3].includes(replicaCount)) throw new Error('--replicas: 2 or 3');
if (!['jira', 'zendesk', 'email'].includes(options.ticketing))
  throw new Error('--ticketing: jira, zendesk or email');

/** Submissions in flight at most. */
const SUBMIT_CONCURRENCY = 4;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const seconds = ms => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)}s`);
const log = message => console.log(`faults [${elapsed()}] ${message}`);

/**
 * A port of 7500–7539 nobody listens on and not in `taken` (the replicas'
 * ports; an ephemeral port closed again can be handed out twice).
 */
async function freePort(taken) {
  // FAULTS_REPLICA_PORTS=7560 lets a second run use 7560-7599 alongside.
  const first = Number(process.env.FAULTS_REPLICA_PORTS ?? 7500);
  for (let port = first; port < first + 40 && port < 7600; port++) {
    if (taken.includes(port)) continue;
    const server = createServer();
    const free = await new Promise(resolve => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise(r => server.close(r));
      return port;
    }
  }
  throw new Error(`no free port from ${first} for a replica`);
}

/** Repeats `fn` every `ms` until `stop()` says so; errors are logged, not fatal. */
function loop(name, ms, fn) {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        await fn();
      } catch (e) {
        log(`${name}: ${e.message}`);
      }
      await sleep(ms);
    }
  })();
  return async () => {
    stopped = true;
    await done;
  };
}

/** What the fakes recorded, so a check that saw nothing shows as zeros. */
function effectCounts(vendors) {
  let memberships = 0;
  for (const members of vendors.okta.groupMembers.values())
    memberships += members.size;
  return {
    oktaMemberships: memberships,
    jiraIssues: vendors.jira.issues.length,
    zendeskTickets: vendors.zendesk.tickets.length,
    slackPosts: vendors.slack.callsTo('chat.postMessage').length,
    mails: vendors.smtp.messages.length,
    teamsCards: vendors.teams.cards.length,
  };
}

/**
 * An Okta membership nobody asked for, a second ticket for a request, a
 * second removal ticket, a second approval DM and mail, a repeated Teams card and a lost status mail:
 * the checks must report each.
 */
function sabotage(vendors, apps, workload) {
  const [tracked] = [...workload.requests.values()].filter(
    r => r.app.path === 'ticket',
  );
  const okta = apps.find(a => a.path === 'okta-group');
  vendors.okta.addToGroup(
    okta.oktaGroupId,
    vendors.okta.findUser('ivan.admin@acme.example').id,
  );
  const issue = vendors.jira.issues.find(i =>
    i.labels.includes(`app-access-${tracked.id}`),
  );
  if (issue) vendors.jira.issues.push({ ...issue, key: `${issue.key}-COPY` });
  // A second removal ticket for a removed grant.
  const removal = vendors.jira.issues.find(i =>
    i.labels.some(l => l.startsWith('app-access-removal-')),
  );
  if (removal)
    vendors.jira.issues.push({ ...removal, key: `${removal.key}-COPY` });
  // apiCalls reads `calls` one to one, in order.
  const post = vendors.slack.apiCalls.findIndex(
    c => c.method === 'chat.postMessage' && c.response.ok,
  );
  if (post !== -1) vendors.slack.calls.push(vendors.slack.calls[post]);
  const mail = vendors.smtp.messages.find(m => approvalMailRequest(m));
  if (mail)
    vendors.smtp.messages.push({
      ...mail,
      parsed: Object.assign(Object.create(mail.parsed), {
        messageId: '<sabotage-copy@acme.example>',
      }),
    });
  // A Teams card posted twice with no cut connection to explain it, and a
  // status mail to a requester that never arrived.
  const cuts = [...vendors.gates.teams.cuts, ...Replica.interruptions];
  const card = vendors.teams.calls.findIndex(
    c => c.status === 202 && !cuts.some(t => t >= c.at && t - c.at < 30_000),
  );
  if (card !== -1) vendors.teams.calls.push(vendors.teams.calls[card]);
  const status = vendors.smtp.messages.findIndex(
    m => !approvalMailRequest(m) && !m.to.includes('helpdesk@acme.example'),
  );
  if (status !== -1) vendors.smtp.messages.splice(status, 1);
}

/** Undo steps, last first: replicas, fakes, the private cluster. */
const cleanup = [];
async function runCleanup() {
  for (const step of cleanup.splice(0).reverse()) {
    try {
      await step();
    } catch (e) {
      log(`cleanup: ${e.message}`);
    }
  }
}
// Interrupted: stop what the run started (replicas, the cluster) first.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    log(`${signal}: stopping the replicas, the fakes and the cluster`);
    runCleanup().finally(() => process.exit(130));
  });

async function main() {
  mkdirSync(outputDir, { recursive: true });
  const database = `faults_${randomBytes(4).toString('hex')}`;
  const apps = faultApps(profile.appsPerKind);
  let breaches = [];
  let faultsRun = 0;
  let noticeLag;
  let workload;
  let vendors;
  let cluster;
  try {
    // A cluster of the run's own, so a fault can restart it.
    cluster = await PrivateCluster.start({ log });
    cleanup.push(() => cluster.stop({ keep: options.keep }));
    usePostgres(cluster.connection);
    await createDatabase(database);
    cleanup.push(() => (options.keep ? undefined : dropDatabase(database)));
    log(`database ${database}; logs in ${outputDir}`);

    vendors = await startVendors({
      people: [...REQUESTERS, APPROVER, L2_APPROVER, ADMIN],
      oktaGroupIds: apps
        .filter(a => a.path === 'okta-group')
        .map(a => a.oktaGroupId),
    });
    cleanup.push(() => vendors.stop());
    stampMailArrivals(vendors.smtp);
    recordOktaRemovals(vendors.okta);

    const ports = [];
    for (let i = 0; i < replicaCount; i++) ports.push(await freePort(ports));
    const configs = writeDeployment({
      database,
      apps,
      vendors,
      ports,
      ticketing: options.ticketing,
    });
    const replicas = ports.map(
      (port, i) => new Replica({ index: i + 1, port, configFiles: configs[i] }),
    );
    cleanup.push(() => Promise.all(replicas.map(r => r.stop())));
    // Backstage's catalog (not App Access) fails start-up with
    // MigrationLocked when replicas migrate a fresh database together, so the
    // first one migrates alone; the rest start together once it is up.
    replicas[0].start();
    await replicas[0].waitHealthy(300_000);
    for (const replica of replicas.slice(1)) replica.start();
    await Promise.all(replicas.slice(1).map(r => r.waitHealthy(300_000)));
    log(`${replicas.length} replicas healthy on ports ${ports.join(', ')}`);

    const client = new ReplicaClient(replicas, {
      overlapsOutage: (from, to) => cluster.overlaps(from, to),
    });
    // The catalog (people) and the seed arrive after health answers.
    const ready = Date.now();
    for (;;) {
      try {
        for (const user of [APPROVER, L2_APPROVER, ADMIN, ...REQUESTERS])
          await client.token(user, replicas[0]);
        const res = await client.api(
          REQUESTERS[0],
          'GET',
          `/apps/${apps[0].id}`,
        );
        if (res.status === 200) break;
      } catch {
        /* not yet */
      }
      if (Date.now() - ready > 180_000)
        throw new Error('catalog or seed not ready within 180s');
      await sleep(1000);
    }
    log('catalog and seed ready');

    workload = new Workload({
      client,
      vendors,
      apps,
      ticketing: options.ticketing,
      log,
    });
    workload.query = (sql, params) => queryDatabase(database, sql, params);
    const plan = workload.plan(profile.requests);
    const waitHealthy = async replica => {
      await replica.waitHealthy(600_000);
      log(`${replica.name} healthy again`);
    };

    const workStarted = Date.now();
    const faultList = schedule({
      profile: options.profile,
      replicas,
      vendors,
      cluster,
      ticketing: options.ticketing,
      waitHealthy,
    });
    const faultsDone = Promise.all(
      faultList.map(async fault => {
        await sleep(fault.at * 1000);
        log(`fault: ${fault.name}`);
        const t = Date.now();
        try {
          await fault.run();
          faultsRun += 1;
          log(
            `fault over after ${((Date.now() - t) / 1000).toFixed(1)}s: ${
              fault.name
            }`,
          );
        } catch (e) {
          breaches.push(`fault '${fault.name}' could not be run: ${e.message}`);
        }
      }),
    );

    const submitting = (async () => {
      const gap = (profile.submitSeconds * 1000) / plan.length;
      const inFlight = new Set();
      for (const item of plan) {
        // Paced, and never more than a few at once: on a slow machine the
        // replicas fall behind, and requesters do not pile up on them.
        while (inFlight.size >= SUBMIT_CONCURRENCY)
          await Promise.race(inFlight);
        const submit = workload
          .submit(item)
          .catch(e => {
            workload.unexpected.push(
              `submit ${item.app.id} as ${item.requester}: ${e.message}`,
            );
          })
          .finally(() => inFlight.delete(submit));
        inFlight.add(submit);
        await sleep(gap);
      }
      await Promise.all(inFlight);
      log(`${workload.requests.size} requests submitted`);
    })();

    const stopApprover = loop('approver', 1000, () =>
      workload.approveRound(APPROVER),
    );
    const stopApprover2 = loop('approver-2', 1000, () =>
      workload.approveRound(L2_APPROVER),
    );
    const stopIt = loop('it', 1000, async () => {
      await workload.refresh();
      await workload.completeRound();
    });

    await submitting;
    await faultsDone;
    // The drain time counts from the last fault's end (a replica back up),
    // so a slow machine's long restarts do not eat it, and grows with the
    // workload. Past it, the run waits on while requests keep reaching
    // their end (a slow machine), and stops once nothing moved for
    // STALL_SECONDS (something stuck: the checks report it), or at twice
    // the drain time.
    const drainSeconds = Math.max(
      MIN_DRAIN_SECONDS,
      profile.drainSecondsPerRequest * plan.length,
    );
    const deadline = Math.max(
      workStarted + (profile.submitSeconds + drainSeconds) * 1000,
      Date.now() + drainSeconds * 1000,
    );
    const hardDeadline = deadline + drainSeconds * 1000;
    let lastOpen = workload.open.length;
    let lastProgress = Date.now();
    while (workload.open.length) {
      const now = Date.now();
      if (workload.open.length < lastOpen) lastProgress = now;
      lastOpen = workload.open.length;
      if (now >= hardDeadline) break;
      if (now >= deadline && now - lastProgress >= STALL_SECONDS * 1000) break;
      await sleep(1000);
    }
    if (Date.now() > deadline)
      log(
        `${((Date.now() - deadline) / 1000).toFixed(
          0,
        )}s past the ${drainSeconds}s drain time: ${
          !workload.open.length
            ? 'requests kept reaching their end until none was open'
            : Date.now() >= hardDeadline
            ? 'twice the drain time is the limit'
            : `nothing reached its end for ${STALL_SECONDS}s`
        }`,
      );
    await workload.pool.drain();
    await stopApprover();
    await stopApprover2();
    await stopIt();
    log(
      workload.open.length
        ? `deadline passed with ${workload.open.length} request(s) open`
        : 'every request reached a final state',
    );

    // Checks from outside.
    const details = [];
    const reads = new Pool(8);
    for (const tracked of workload.requests.values()) {
      await reads.run(async () => {
        const res = await client.api(
          ADMIN,
          'GET',
          `/admin/requests/${tracked.id}`,
        );
        if (res.status !== 200) {
          breaches.push(`read ${tracked.id}: HTTP ${res.status}`);
          return;
        }
        details.push({ tracked, request: res.body });
      });
    }
    await reads.drain();
    // Each grantee's grants, as they read them (requestId → grant).
    const grants = new Map();
    for (const user of REQUESTERS) {
      const res = await client.api(user, 'GET', '/me/access');
      if (res.status !== 200) {
        breaches.push(`read ${user}'s access: HTTP ${res.status}`);
        continue;
      }
      for (const grant of res.body.items ?? [])
        grants.set(grant.requestId, grant);
    }
    // What the checks saw, for reading a breach afterwards.
    writeFileSync(
      join(outputDir, 'requests.json'),
      JSON.stringify(
        details.map(d => d.request),
        null,
        2,
      ),
    );
    writeFileSync(
      join(outputDir, 'mails.json'),
      JSON.stringify(
        vendors.smtp.messages.map(m => ({
          to: m.to,
          subject: m.parsed.subject,
          messageId: m.parsed.messageId,
          headers: Object.fromEntries(
            m.parsed.headerLines.map(h => [h.key, h.line]),
          ),
          text: m.parsed.text,
        })),
        null,
        2,
      ),
    );
    writeFileSync(
      join(outputDir, 'teams.json'),
      JSON.stringify(
        vendors.teams.posts.map(p => ({
          status: p.status,
          at: new Date(p.at).toISOString(),
          title: p.card?.body?.[0]?.text,
          request: /\/apps\/requests\/([0-9a-f-]{36})/.exec(
            JSON.stringify(p.card ?? {}),
          )?.[1],
        })),
        null,
        2,
      ),
    );
    // That the faults bit: jobs charged a failure, and jobs claimed again
    // after a lease ran out or a shutdown handed them back.
    const [outbox] = await queryDatabase(
      database,
      `SELECT count(*) AS jobs,
              count(*) FILTER (WHERE attempts > 0) AS retried,
              count(*) FILTER (WHERE claims > 1) AS reclaimed
         FROM "app-access".outbox`,
    );
    log(`outbox: ${JSON.stringify(outbox)}`);
    if (options.sabotage) sabotage(vendors, apps, workload);
    const notifyJobs = await queryDatabase(
      database,
      `SELECT id, idempotency_key, payload, status, created_at
         FROM "app-access".outbox WHERE kind = 'notify' ORDER BY id`,
    );
    const notices = checkNotices({
      jobs: notifyJobs,
      details,
      vendors,
      teamsCuts: [...vendors.gates.teams.cuts, ...Replica.interruptions],
    });
    const allLags = Object.values(notices.lags).flat();
    noticeLag = percentile(allLags, 95);
    const lagLine = Object.entries(notices.lags)
      .map(
        ([channel, lags]) =>
          `${channel} p50 ${seconds(percentile(lags, 50))} p95 ${seconds(
            percentile(lags, 95),
          )} max ${seconds(percentile(lags, 100))} (n=${lags.length})`,
      )
      .join('; ');
    log(`notices: ${JSON.stringify(notices.counts)}; lag ${lagLine}`);
    log(
      `database outages: ${cluster.outages
        .map(o => `${((o.to - o.from) / 1000).toFixed(1)}s`)
        .join(', ')}; ${
        client.outageAnswers.length
      } call(s) answered 5xx during one`,
    );
    log(`effects seen: ${JSON.stringify(effectCounts(vendors))}`);
    breaches.push(
      ...workload.unexpected,
      ...checkFinalStates(details),
      ...checkOkta(details, apps, vendors.okta),
      ...checkRemovals(details, grants, apps, vendors, options.ticketing),
      ...checkOnBehalf(details),
      ...checkTickets(details, options.ticketing, vendors),
      ...checkApprovalMessages(details, vendors),
      ...checkDecisionsAndTimelines(details),
      ...(await checkOutbox(client)),
      ...notices.breaches,
      ...client.serverErrors.map(
        e => `${e.replica} answered ${e.status} while up: ${e.what} at ${e.at}`,
      ),
    );
  } catch (e) {
    breaches.push(`the run itself failed: ${e.stack ?? e}`);
  } finally {
    await runCleanup();
  }
  if (workload) {
    const tracked = [...workload.requests.values()];
    const ways = {};
    for (const r of tracked.filter(t => t.removal))
      ways[r.removal] = (ways[r.removal] ?? 0) + 1;
    log(
      `${
        tracked.filter(t => t.filer).length
      } on-behalf request(s); removals planned ${JSON.stringify(ways)}, ${
        (vendors?.okta.removals ?? []).length
      } Okta membership(s) deleted`,
    );
    const via = {};
    for (const r of workload.requests.values())
      via[r.decidedVia ?? 'none'] = (via[r.decidedVia ?? 'none'] ?? 0) + 1;
    log(
      `decided via ${JSON.stringify(via)}; ${
        workload.decidedWithoutMessage.length
      } decided in the portal after waiting 30s for their DM / email; ${
        workload.lostAnswers
      } submission(s) retried after a lost answer; ${
        workload.linksRefused
      } email link click(s) refused while the task waited`,
    );
  }
  for (const breach of breaches) console.log(`faults: BREACH ${breach}`);
  const n = workload?.requests.size ?? 0;
  console.log(
    `faults: ${n} requests, ${faultsRun} faults, ${
      breaches.length
    } breaches, notice lag p95 ${seconds(noticeLag)} — ${
      breaches.length ? 'FAIL' : 'PASS'
    } (${elapsed()})`,
  );
  process.exitCode = breaches.length ? 1 : 0;
}

await main();
