// What the replicas run with: the seed (one app per fulfilment path and
// approval channel) and an app-config that points every module at the fakes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  sharedReplicaConfig,
  writeReplicaConfigs,
} from '../lib/replicaConfig.mjs';
import { outputDir, repoRoot } from './paths.mjs';
import { PG } from './replicas.mjs';
import { SLACK_SIGNING_SECRET } from './vendors.mjs';

export const APPROVER = 'sam.manager';
export const ADMIN = 'ivan.admin';
/** Second-level approver of the two-level apps (sam.manager's manager). */
export const L2_APPROVER = 'victor.vance';
/** People sam.manager manages in the example org: the requesters. */
export const REQUESTERS = [
  'jane.doe',
  'ethan.engineer',
  'liam.nguyen',
  'sofia.martinez',
  'noah.kim',
  'ava.patel',
  'lucas.schmidt',
];

const approvedBy = {
  required: 'everyone',
  level1: [{ type: 'user', ref: `user:default/${APPROVER}` }],
};
const approvedTwice = {
  ...approvedBy,
  level2: [{ type: 'user', ref: `user:default/${L2_APPROVER}` }],
};

/**
 * The fault apps: `path` is how an approved request is fulfilled, `channel`
 * how its approver is asked (portal: the API only). Several apps per path so
 * one person can have many open requests (one open request per app and tier).
 */
export function faultApps(perPath) {
  const kinds = [
    { path: 'okta-group', channel: 'slack' },
    { path: 'okta-group', channel: 'email' },
    { path: 'ticket', channel: 'slack' },
    { path: 'ticket', channel: 'email' },
    { path: 'manual', channel: 'msteams' },
    { path: 'manual', channel: 'portal' },
    { path: 'okta-group', channel: 'none' },
    // Two approval levels: sam.manager, then victor.vance.
    { path: 'okta-group', channel: 'portal', levels: 2 },
    { path: 'ticket', channel: 'email', levels: 2 },
  ];
  const apps = [];
  for (let n = 1; n <= perPath; n++) {
    for (const kind of kinds) {
      const id = `fa-${kind.path}-${kind.channel}${
        kind.levels === 2 ? '-l2' : ''
      }-${n}`;
      apps.push({ id, ...kind, oktaGroupId: `00gfaults${apps.length}` });
    }
  }
  return apps;
}

function seedOf(apps) {
  return {
    apiVersion: 'app-access.dev/v1',
    kind: 'AppCatalog',
    apps: apps.map(app => ({
      id: app.id,
      name: app.id,
      category: 'Fault suite',
      owner: 'group:default/it-admins',
      listed: true,
      ...(app.channel === 'none' || app.channel === 'portal'
        ? {}
        : { approvalMethod: app.channel }),
      approval:
        app.channel === 'none'
          ? { required: 'nobody' }
          : app.levels === 2
          ? approvedTwice
          : approvedBy,
      tiers: [
        {
          id: 'std',
          name: 'Standard',
          // Time-bound requests ask for a day; the runner moves their end
          // into the past so the expiry pass removes them mid-run.
          maxDurationDays: 30,
          fulfillment:
            app.path === 'okta-group'
              ? { type: 'okta-group', oktaGroupId: app.oktaGroupId }
              : { type: app.path },
        },
      ],
    })),
  };
}

/** Writes the seed and the replicas' config; returns the config files for each replica. */
export function writeDeployment({ database, apps, vendors, ports, ticketing }) {
  const seedFile = join(outputDir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seedOf(apps), null, 2));
  return writeReplicaConfigs({
    dir: outputDir,
    baseName: 'app-config.faults.json',
    ports,
    shared: sharedReplicaConfig({
      repoRoot,
      connection: { ...PG, database },
      appAccessPoolMax: 8,
      appAccess: {
        catalog: { seedFiles: [seedFile] },
        approvals: {
          method: 'portal',
          defaultApprovers: ['group:default/it-admins'],
        },
        ticketing: { system: ticketing },
        // Requesters file for each other (on-behalf requests).
        requests: { onBehalf: 'anyone' },
        // The expiry pass every 6 s, so ended access is removed mid-run.
        access: { checkEveryMinutes: 0.1 },
        outbox: {
          leaseSeconds: 5,
          pollIntervalMs: 200,
          baseDelaySeconds: 1,
          maxDelaySeconds: 4,
          shutdownGraceSeconds: 3,
        },
        okta: {
          orgUrl: vendors.okta.url,
          apiToken: 'test-api-token',
          requestTimeoutSeconds: 5,
          pollSeconds: 1,
          sync: { enabled: false },
        },
        jira: {
          baseUrl: vendors.jira.url,
          email: vendors.jira.email,
          apiToken: vendors.jira.apiToken,
          serviceDeskId: '1',
          requestTypeId: '11',
          followEveryMinutes: 0.1,
          timeoutSeconds: 5,
        },
        zendesk: {
          endpointUri: `${vendors.zendesk.url}/api/v2`,
          email: vendors.zendesk.email,
          apiToken: vendors.zendesk.apiToken,
          followEveryMinutes: 0.1,
          timeoutSeconds: 5,
        },
        slack: {
          botToken: vendors.slack.token,
          signingSecret: SLACK_SIGNING_SECRET,
          apiUrl: vendors.slack.apiUrl,
        },
        msteams: { webhookUrl: vendors.teamsUrl },
        email: {
          smtp: vendors.smtpConfig,
          from: { name: 'Acme IT', address: 'it-apps@acme.example' },
          ticketAddress: 'helpdesk@acme.example',
        },
      },
    }),
  });
}
