// The vendor fakes as local servers inside the runner process: the modules'
// own test fakes (TypeScript, loaded through Backstage's node transform), each
// on its own port, seeded with the example org's people.
import { createRequire } from 'node:module';
import { TcpGate } from './gate.mjs';
import { repoRoot } from './paths.mjs';

const require = createRequire(`${repoRoot}/package.json`);
require('@backstage/cli/config/nodeTransform.cjs');

const {
  FakeOkta,
} = require('./plugins/app-access-backend-module-okta/src/testing/FakeOkta.ts');
const {
  FakeJira,
} = require('./plugins/app-access-backend-module-jira/src/testing/FakeJira.ts');
const {
  FakeZendesk,
} = require('./plugins/app-access-backend-module-zendesk/src/testing/FakeZendesk.ts');
const {
  FakeSlackApi,
} = require('./plugins/app-access-backend-module-slack/src/testing/FakeSlackApi.ts');
const {
  FakeTeamsWebhook,
} = require('./plugins/app-access-backend-module-msteams/src/testing/FakeTeamsWebhook.ts');
const {
  TestSmtpServer,
} = require('./plugins/app-access-backend-module-email/src/testing/TestSmtpServer.ts');

export const SLACK_SIGNING_SECRET = 'faults-slack-signing-secret';

/** Slack user id of a person of the example org (`U` + their name). */
export function slackIdOf(user) {
  return `U${user.replace(/[^a-z]/g, '').toUpperCase()}`;
}

/**
 * Starts every fake and gives each the people it must know: Okta users and
 * the groups the seed's okta-group tiers name, Slack users by email, Jira
 * customers.
 */
export async function startVendors({ people, oktaGroupIds }) {
  const okta = await FakeOkta.start({ systemLog: false });
  for (const user of people) okta.addUser({ login: `${user}@acme.example` });
  for (const id of oktaGroupIds) okta.addGroup({ id, name: `faults ${id}` });

  const jira = await FakeJira.start();
  jira.serviceDesks[0].customers.push(
    ...people.map(user => ({
      accountId: `acct-${user}`,
      emailAddress: `${user}@acme.example`,
      displayName: user,
    })),
  );

  const zendesk = await FakeZendesk.start();
  const slack = await FakeSlackApi.start({
    users: people.map(user => ({
      id: slackIdOf(user),
      email: `${user}@acme.example`,
      name: user,
    })),
  });
  const teams = await FakeTeamsWebhook.start();
  const smtp = await TestSmtpServer.start();
  // The replicas reach Teams and SMTP through gates, so a fault can make
  // them refuse connections (a full outage) rather than only answer errors.
  const teamsGate = await TcpGate.start(new URL(teams.url).port);
  const smtpGate = await TcpGate.start(smtp.port);
  const teamsUrl = new URL(teams.url);
  teamsUrl.port = String(teamsGate.port);

  const all = { okta, jira, zendesk, slack, teams };
  return {
    gates: { teams: teamsGate, smtp: smtpGate },
    /** The webhook URL and SMTP settings the replicas use (through the gates). */
    teamsUrl: teamsUrl.toString(),
    smtpConfig: { ...smtp.smtpConfig, port: smtpGate.port },
    okta,
    jira,
    zendesk,
    slack,
    teams,
    smtp,
    /** The fakes a fault can switch, by name. */
    http: all,
    async stop() {
      await Promise.allSettled([
        teamsGate.stop(),
        smtpGate.stop(),
        ...Object.values(all).map(f => f.stop()),
        smtp.stop(),
      ]);
    },
  };
}
