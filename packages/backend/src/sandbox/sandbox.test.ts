import { createHmac } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createSandboxPlugin } from './plugin';
import { sandboxDecision } from './rootConfig';
import { readOktaTargets, readPeople } from './seed';
import { VendorSandbox } from './VendorSandbox';
import path from 'node:path';
/* eslint-disable @backstage/no-forbidden-package-imports */
import { BotTokenVerifier } from '@app-access/plugin-app-access-backend-module-msteams/src/bot/BotTokenVerifier';
import { BotConnector } from '@app-access/plugin-app-access-backend-module-msteams/src/bot/BotConnector';
/* eslint-enable @backstage/no-forbidden-package-imports */

jest.setTimeout(60_000);

const ADMIN = 'user:default/ada.admin';
const EMPLOYEE = 'user:default/jane.doe';
const examples = path.resolve(__dirname, '../../../../examples');

type Received = { headers: Record<string, any>; body: string };
const CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * Stands where App Access's Slack module listens (/api/app-access/slack/
 * interactions) and records what reaches it, as Slack's servers would see
 * their own requests arrive.
 */
function interactionReceiver(
  received: Received[],
  teams: { verifier: () => BotTokenVerifier; activities: any[] },
) {
  return createBackendPlugin({
    pluginId: 'app-access',
    register(reg) {
      reg.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          const router = express.Router();
          // Where the Teams bot listens: only what the real token check of
          // the msteams module accepts is recorded.
          router.post('/msteams/messages', express.json(), (req, res) => {
            teams
              .verifier()
              .verify(req.header('authorization'))
              .then(() => {
                teams.activities.push(req.body);
                if (req.body.type !== 'invoke') {
                  res.status(200).end();
                  return;
                }
                res.status(200).json({
                  statusCode: 200,
                  type: CARD,
                  value: {
                    type: 'AdaptiveCard',
                    version: '1.5',
                    body: [{ type: 'TextBlock', text: 'Denied by Jane Doe' }],
                  },
                });
              })
              .catch(e => res.status(401).json({ error: e.message }));
          });
          httpRouter.addAuthPolicy({
            path: '/msteams/messages',
            allow: 'unauthenticated',
          });
          router.post(
            '/slack/interactions',
            express.text({ type: '*/*' }),
            (req, res) => {
              received.push({ headers: req.headers, body: req.body });
              res.status(200).json({ response_action: 'clear' });
            },
          );
          httpRouter.use(router);
          httpRouter.addAuthPolicy({
            path: '/slack/interactions',
            allow: 'unauthenticated',
          });
        },
      });
    },
  });
}

describe('vendor sandbox', () => {
  let sandbox: VendorSandbox;

  beforeAll(async () => {
    sandbox = await VendorSandbox.start({
      seed: {
        people: readPeople([path.join(examples, 'org.yaml')]),
        ...readOktaTargets([path.join(examples, 'apps.yaml')]),
      },
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('seeds Okta with every group and user the example catalog fulfils through', async () => {
    const targets = readOktaTargets([path.join(examples, 'apps.yaml')]);
    const people = readPeople([path.join(examples, 'org.yaml')]);
    expect(targets.oktaGroups.length).toBeGreaterThan(0);
    const state = sandbox.state();
    expect(state.okta.groups.map(g => g.id).sort()).toEqual(
      targets.oktaGroups.map(g => g.id).sort(),
    );
    const jane = people.find(p => p.name === 'jane.doe')!;
    expect(sandbox.okta.findUser(jane.email)?.profile.login).toBe(jane.email);
    // Okta's API answers with the sandbox token from the overlay only.
    const overlay = sandbox.configOverlay().appAccess;
    const res = await fetch(
      `${overlay.okta.orgUrl}/api/v1/users/${encodeURIComponent(jane.email)}`,
      { headers: { Authorization: `SSWS ${overlay.okta.apiToken}` } },
    );
    expect(res.status).toBe(200);
    expect((await res.json()).profile.email).toBe(jane.email);
  });

  it('is off unless enabled, and refuses to start under NODE_ENV=production', () => {
    const on = new ConfigReader({ appAccess: { sandbox: { enabled: true } } });
    expect(sandboxDecision(new ConfigReader({}), 'development')).toEqual({
      start: false,
    });
    expect(sandboxDecision(on, 'development')).toEqual({ start: true });
    const production = sandboxDecision(on, 'production');
    expect(production.start).toBe(false);
    expect(production.reason).toMatch(/NODE_ENV is production/);
  });

  describe('routes', () => {
    const received: Received[] = [];
    const teamsActivities: any[] = [];
    let server: any;
    let verifier: BotTokenVerifier;

    beforeAll(async () => {
      const { bot } = sandbox.configOverlay().appAccess.msteams;
      verifier = new BotTokenVerifier(bot);
      const backend = await startTestBackend({
        features: [
          createSandboxPlugin(() => sandbox, { installRetryMs: 100 }),
          // The example org, as the catalog serves it once it has read it.
          catalogServiceMock.factory({
            entities: readPeople([path.join(examples, 'org.yaml')]).map(p => ({
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'User',
              metadata: { name: p.name, namespace: 'default' },
              spec: { profile: { email: p.email } },
            })),
          }),
          interactionReceiver(received, {
            verifier: () => verifier,
            activities: teamsActivities,
          }),
          mockServices.permissions.mock({
            authorize: async (requests, options) =>
              requests.map(() => ({
                result:
                  (options.credentials.principal as any).userEntityRef === ADMIN
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
              })) as any,
          }).factory,
        ],
      });
      server = backend.server;
    });

    const as = (ref: string) => mockCredentials.user.header(ref);

    it('tells anyone signed in whether the sandbox is on and theirs to use', async () => {
      const employee = await request(server)
        .get('/api/app-access-sandbox/status')
        .set('Authorization', as(EMPLOYEE));
      expect(employee.body).toEqual({ enabled: true, admin: false });
      const admin = await request(server)
        .get('/api/app-access-sandbox/status')
        .set('Authorization', as(ADMIN));
      expect(admin.body).toEqual({ enabled: true, admin: true });
      await request(server)
        .get('/api/app-access-sandbox/status')
        .set('Authorization', mockCredentials.none.header())
        .expect(401);
    });

    it('answers 401 without a user and 403 to non-admins', async () => {
      await request(server)
        .get('/api/app-access-sandbox/state')
        .set('Authorization', mockCredentials.none.header())
        .expect(401);
      const refused = await request(server)
        .get('/api/app-access-sandbox/state')
        .set('Authorization', as(EMPLOYEE));
      expect(refused.status).toBe(403);
      await request(server)
        .post('/api/app-access-sandbox/tickets/jira/IT-1/resolve')
        .set('Authorization', as(EMPLOYEE))
        .expect(403);
    });

    it("sends a DM button click to the Slack endpoint, signed with the app's signing secret", async () => {
      const jane = [...sandbox.slack.users.values()].find(u =>
        u.email.startsWith('jane.doe@'),
      )!;
      const channel = `D${jane.id}`;
      const posted = await fetch(`${sandbox.slack.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${sandbox.slack.token}`,
          'Content-Type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify({
          channel,
          text: 'Approve Figma for Jane?',
          blocks: [
            {
              type: 'actions',
              elements: [
                {
                  type: 'button',
                  action_id: 'app_access_approve',
                  text: { type: 'plain_text', text: 'Approve' },
                  value: 'request-1',
                },
              ],
            },
          ],
        }),
      }).then(r => r.json());
      expect(posted.ok).toBe(true);

      const state = await request(server)
        .get('/api/app-access-sandbox/state')
        .set('Authorization', as(ADMIN))
        .expect(200);
      const dm = state.body.slack.find((m: any) => m.ts === posted.ts);
      expect(dm.to).toBe(jane.email);
      expect(dm.buttons).toEqual([
        { actionId: 'app_access_approve', text: 'Approve' },
      ]);

      const click = await request(server)
        .post('/api/app-access-sandbox/slack/click')
        .set('Authorization', as(ADMIN))
        .send({ channel, ts: posted.ts, actionId: 'app_access_approve' });
      expect(click.status).toBe(200);
      expect(click.body).toEqual({
        status: 200,
        response: { response_action: 'clear' },
      });

      expect(received).toHaveLength(1);
      const { headers, body } = received[0];
      const timestamp = headers['x-slack-request-timestamp'];
      const expected = `v0=${createHmac('sha256', sandbox.slackSigningSecret)
        .update(`v0:${timestamp}:${body}`)
        .digest('hex')}`;
      expect(headers['x-slack-signature']).toBe(expected);
      const payload = JSON.parse(
        new URLSearchParams(body).get('payload') ?? '',
      );
      expect(payload.type).toBe('block_actions');
      expect(payload.user.id).toBe(jane.id);
      expect(payload.actions[0]).toMatchObject({
        action_id: 'app_access_approve',
        value: 'request-1',
      });

      await request(server)
        .post('/api/app-access-sandbox/slack/click')
        .set('Authorization', as(ADMIN))
        .send({ channel, ts: posted.ts, actionId: 'no_such_button' })
        .expect(404);
      const bad = await request(server)
        .post('/api/app-access-sandbox/slack/click')
        .set('Authorization', as(ADMIN))
        .send({ channel, ts: 42 });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^ts:/);
    });

    it("shows the cards posted to the Teams channel's webhook", async () => {
      const card = {
        type: 'AdaptiveCard',
        version: '1.4',
        body: [{ type: 'TextBlock', text: 'Jane Doe asks for Figma Dev seat' }],
        actions: [
          {
            type: 'Action.OpenUrl',
            title: 'Open in the portal',
            url: 'http://localhost:3000/apps/approvals',
          },
        ],
      };
      const res = await fetch(
        sandbox.configOverlay().appAccess.msteams.webhookUrl,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            attachments: [
              {
                contentType: 'application/vnd.microsoft.card.adaptive',
                content: card,
              },
            ],
          }),
        },
      );
      expect(res.status).toBe(202);
      const state = await request(server)
        .get('/api/app-access-sandbox/state')
        .set('Authorization', as(ADMIN))
        .expect(200);
      expect(state.body.teams.map((t: any) => t.card)).toContainEqual(card);
    });

    it("installs the Teams app for everyone, shows each person's chat with the bot and sends a signed Action.Execute for a click", async () => {
      const people = readPeople([path.join(examples, 'org.yaml')]);
      const { bot } = sandbox.configOverlay().appAccess.msteams;
      // The sandbox's own issuer signs; nothing points at Microsoft.
      expect(bot.issuer).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(bot.openIdMetadataUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);

      // Every person's install arrived at the messaging endpoint, verified.
      for (let i = 0; i < 100; i++) {
        if (
          teamsActivities.filter(a => a.type === 'installationUpdate').length >=
          people.length
        )
          break;
        await new Promise(r => setTimeout(r, 100));
      }
      const installs = teamsActivities.filter(
        a => a.type === 'installationUpdate',
      );
      expect(installs).toHaveLength(people.length);
      expect(installs[0]).toMatchObject({
        action: 'add',
        channelId: 'msteams',
        conversation: { conversationType: 'personal' },
      });

      // The bot asks Jane in her chat, through the real Agents SDK client.
      const jane = people.find(p => p.name === 'jane.doe')!;
      const janeInstall = installs.find(a => a.from.name === jane.displayName);
      const connector = new BotConnector({
        ...bot,
        scope: 'https://api.botframework.com/.default',
        objectIdAnnotations: [],
      });
      const data = { requestId: 'request-1', taskId: 'task-1' };
      const activityId = await connector.send(
        {
          serviceUrl: janeInstall.serviceUrl,
          conversationId: janeInstall.conversation.id,
        },
        {
          type: 'message',
          attachments: [
            {
              contentType: CARD,
              content: {
                type: 'AdaptiveCard',
                version: '1.5',
                body: [{ type: 'TextBlock', text: 'Approve Figma for Kim?' }],
                actions: [
                  {
                    type: 'Action.Execute',
                    title: 'Approve',
                    verb: 'appAccess.approve',
                    data,
                  },
                  {
                    type: 'Action.ShowCard',
                    title: 'Deny…',
                    card: {
                      type: 'AdaptiveCard',
                      body: [
                        { type: 'Input.Text', id: 'reason', label: 'Reason' },
                      ],
                      actions: [
                        {
                          type: 'Action.Execute',
                          title: 'Deny',
                          verb: 'appAccess.deny',
                          data,
                        },
                      ],
                    },
                  },
                ],
              },
            },
          ],
        },
      );

      const state = await request(server)
        .get('/api/app-access-sandbox/state')
        .set('Authorization', as(ADMIN))
        .expect(200);
      const chat = state.body.teamsBot.find((m: any) => m.id === activityId);
      expect(chat).toMatchObject({
        to: jane.email,
        name: jane.displayName,
        edited: false,
        buttons: [
          { verb: 'appAccess.approve', title: 'Approve' },
          { verb: 'appAccess.deny', title: 'Deny' },
        ],
        inputs: [{ id: 'reason', label: 'Reason' }],
      });

      const click = await request(server)
        .post('/api/app-access-sandbox/teams/click')
        .set('Authorization', as(ADMIN))
        .send({
          messageId: activityId,
          verb: 'appAccess.deny',
          inputs: { reason: 'Use the team licence' },
        });
      expect(click.status).toBe(200);
      expect(click.body).toMatchObject({
        status: 200,
        response: { statusCode: 200, type: CARD },
      });
      const invoke = teamsActivities[teamsActivities.length - 1];
      expect(invoke).toMatchObject({
        type: 'invoke',
        name: 'adaptiveCard/action',
        from: { aadObjectId: janeInstall.from.aadObjectId },
        conversation: { id: janeInstall.conversation.id },
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'appAccess.deny',
            data: { ...data, reason: 'Use the team licence' },
          },
        },
      });
      // Teams shows the answer card in place of the clicked one.
      const after = await request(server)
        .get('/api/app-access-sandbox/state')
        .set('Authorization', as(ADMIN))
        .expect(200);
      const updated = after.body.teamsBot.find((m: any) => m.id === activityId);
      expect(updated.edited).toBe(true);
      expect(JSON.stringify(updated.card)).toContain('Denied by Jane Doe');
      expect(updated.buttons).toEqual([]);

      await request(server)
        .post('/api/app-access-sandbox/teams/click')
        .set('Authorization', as(ADMIN))
        .send({ messageId: activityId, verb: 'appAccess.nothing' })
        .expect(404);
      const bad = await request(server)
        .post('/api/app-access-sandbox/teams/click')
        .set('Authorization', as(ADMIN))
        .send({ messageId: activityId, verb: 'appAccess.deny', inputs: [1] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^inputs:/);
    });

    it('resolves a Jira ticket as IT would', async () => {
      const overlay = sandbox.configOverlay().appAccess.jira;
      const auth = Buffer.from(`${overlay.email}:${overlay.apiToken}`).toString(
        'base64',
      );
      const created = await fetch(
        `${overlay.baseUrl}/rest/servicedeskapi/request`,
        {
          method: 'POST',
          headers: {
            Authorization: `Basic ${auth}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({
            serviceDeskId: overlay.serviceDeskId,
            requestTypeId: overlay.requestTypeId,
            requestFieldValues: {
              summary: 'Salesforce Read Only for Jane Doe',
              description: 'Approved in App Access',
            },
          }),
        },
      );
      expect(created.status).toBe(201);
      const { issueKey } = await created.json();

      const before = await request(server)
        .get('/api/app-access-sandbox/state')
        .set('Authorization', as(ADMIN));
      expect(
        before.body.tickets.find((t: any) => t.id === issueKey),
      ).toMatchObject({ system: 'jira', done: false });

      await request(server)
        .post(`/api/app-access-sandbox/tickets/jira/${issueKey}/resolve`)
        .set('Authorization', as(ADMIN))
        .expect(204);
      expect(sandbox.jira.issue(issueKey)).toMatchObject({
        statusCategory: 'done',
        resolution: 'Done',
      });
      await request(server)
        .post('/api/app-access-sandbox/tickets/jira/IT-999/resolve')
        .set('Authorization', as(ADMIN))
        .expect(404);
      await request(server)
        .post(`/api/app-access-sandbox/tickets/servicenow/1/resolve`)
        .set('Authorization', as(ADMIN))
        .expect(400);
    });
  });

  it('answers 404 when the sandbox is off', async () => {
    const backend = await startTestBackend({
      features: [
        createSandboxPlugin(() => undefined),
        mockServices.permissions.mock({
          authorize: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any,
        }).factory,
      ],
    });
    const res = await request(backend.server)
      .get('/api/app-access-sandbox/state')
      .set('Authorization', mockCredentials.user.header(ADMIN));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/sandbox is off/);
    await backend.stop();
  });
});
