import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { appAccessModulesExtensionPoint } from '@app-access/plugin-app-access-node';
import request from 'supertest';
import { SettingsStore, settingsFromConfig } from '../database/SettingsStore';
import { migrateKnex } from '../database/migrations';
import { AppAccessEngine } from '../AppAccessEngine';
import {
  ADMIN,
  JANE,
  KIM,
  as,
  startAppAccessTestBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('configuration validation', () => {
  it.each([
    [
      { approvals: { method: 'pigeon' } },
      /appAccess\.approvals\.method 'pigeon'/,
    ],
    [
      { approvals: { fallbackApprover: 'fiona' } },
      /appAccess\.approvals\.fallbackApprover: 'fiona' is not a user or group entity ref/,
    ],
    [
      { approvals: { defaultApprovers: ['team-x'] } },
      /appAccess\.approvals\.defaultApprovers/,
    ],
    [
      { reminders: { intervalHours: -1 } },
      /appAccess\.reminders\.intervalHours/,
    ],
    [{ reminders: { maxCount: 1.5 } }, /appAccess\.reminders\.maxCount/],
    [
      { ticketing: { system: 'servicenow' } },
      /appAccess\.ticketing\.system 'servicenow'/,
    ],
    [{ peers: { roleBasis: 'age' } }, /appAccess\.peers\.roleBasis/],
    [{ branding: { accentColor: 'blue' } }, /appAccess\.branding\.accentColor/],
    [{ access: { maxDurationDays: 0 } }, /appAccess\.access\.maxDurationDays/],
    [
      { access: { defaultDurationDays: 2.5 } },
      /appAccess\.access\.defaultDurationDays: must be a whole number/,
    ],
    [
      { access: { expiryNoticeDays: -1 } },
      /appAccess\.access\.expiryNoticeDays/,
    ],
    [
      { access: { defaultDurationDays: 30, maxDurationDays: 7 } },
      /appAccess\.access\.defaultDurationDays: the default duration \(30 days\) may not be longer than the maximum \(7 days\)/,
    ],
  ])('refuses %j naming the key', (appAccess, message) => {
    expect(() => settingsFromConfig(new ConfigReader({ appAccess }))).toThrow(
      message,
    );
  });

  it('fails engine start-up on invalid outbox settings', async () => {
    const knex = await databases.init('SQLITE_3');
    await expect(
      AppAccessEngine.create({
        config: new ConfigReader({ appAccess: { outbox: { maxAttempts: 0 } } }),
        logger: mockServices.logger.mock(),
        knex,
      }),
    ).rejects.toThrow(/appAccess\.outbox\.maxAttempts/);
  });
});

describe.each(databases.eachSupportedId())('settings on %p', databaseId => {
  it('takes defaults from app-config and lets the database override them, and back', async () => {
    const knex = await databases.init(databaseId);
    await migrateKnex(knex);
    const store = new SettingsStore(
      knex,
      settingsFromConfig(
        new ConfigReader({
          appAccess: {
            approvals: { method: 'email' },
            reminders: { intervalHours: 12, maxCount: 2 },
          },
        }),
      ),
    );
    let view = await store.view();
    expect(view.values.approvalMethod).toBe('email');
    expect(view.sources).toMatchObject({
      approvalMethod: 'config',
      reminders: 'config',
      ticketing: 'default',
    });

    await store.update(
      { approvalMethod: 'slack', reminders: { intervalHours: 4, maxCount: 5 } },
      ADMIN,
    );
    view = await store.view();
    expect(view.values).toMatchObject({
      approvalMethod: 'slack',
      reminders: { intervalHours: 4, maxCount: 5 },
    });
    expect(view.sources).toMatchObject({
      approvalMethod: 'database',
      reminders: 'database',
    });
    expect(view.defaults.approvalMethod).toBe('email');
    expect((await store.get()).approvalMethod).toBe('slack');

    await store.update({ approvalMethod: null }, ADMIN);
    view = await store.view();
    expect(view.values.approvalMethod).toBe('email');
    expect(view.sources.approvalMethod).toBe('config');
  });

  it('access durations and notice: config is the default, the settings page overrides it, the backend reads it live', async () => {
    const knex = await databases.init(databaseId);
    const backend = await startAppAccessTestBackend({
      knex,
      config: {
        appAccess: {
          access: { expiryNoticeDays: 5, maxDurationDays: 30 },
        },
      },
    });
    const put = (body: object) =>
      request(backend.server)
        .put('/api/app-access/settings')
        .set('Authorization', as(ADMIN))
        .send(body);
    const submit = (durationDays: number) =>
      request(backend.server)
        .post('/api/app-access/requests')
        .set('Authorization', as(JANE))
        .send({
          appId: 'notion',
          tierId: 'viewer',
          justification: 'docs',
          durationDays,
        });
    try {
      const read = await request(backend.server)
        .get('/api/app-access/settings')
        .set('Authorization', as(ADMIN));
      expect(read.body.values.access).toEqual({
        expiryNoticeDays: 5,
        maxDurationDays: 30,
      });
      expect(read.body.sources.access).toBe('config');

      // Validated: whole days, and the default not longer than the maximum.
      const tooLong = await put({
        access: {
          expiryNoticeDays: 2,
          defaultDurationDays: 14,
          maxDurationDays: 7,
        },
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.message).toMatch(
        /^access\.defaultDurationDays: the default duration \(14 days\) may not be longer than the maximum \(7 days\)/,
      );
      const fraction = await put({
        access: { expiryNoticeDays: 2, maxDurationDays: 1.5 },
      });
      expect(fraction.status).toBe(400);
      expect(JSON.stringify(fraction.body)).toMatch(/maxDurationDays/);

      const saved = await put({
        access: {
          expiryNoticeDays: 1,
          defaultDurationDays: 3,
          maxDurationDays: 7,
        },
      });
      expect(saved.status).toBe(200);
      expect(saved.body.sources.access).toBe('database');
      expect(saved.body.defaults.access.maxDurationDays).toBe(30);

      // The maximum caps every tier at once, without a restart.
      const refused = await submit(10);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(
        /^durationDays: .* at most 7 days, not 10/,
      );
      expect((await submit(7)).status).toBe(201);

      // The catalog offers the tier as the form should: capped at 7 days,
      // no "until I remove it", the default of 3 days preselected.
      const notion = await request(backend.server)
        .get('/api/app-access/apps/notion')
        .set('Authorization', as(KIM));
      expect(notion.status).toBe(200);
      expect(
        notion.body.tiers.find((t: { id: string }) => t.id === 'viewer'),
      ).toMatchObject({
        maxDurationDays: 7,
        durationRequired: true,
        defaultDurationDays: 3,
      });
      // A request naming no duration (an older client, an action) gets the
      // default instead of lasting until removed past the maximum.
      const noDuration = await request(backend.server)
        .post('/api/app-access/requests')
        .set('Authorization', as(KIM))
        .send({ appId: 'notion', tierId: 'viewer', justification: 'docs' });
      expect(noDuration.status).toBe(201);
      expect(noDuration.body.durationDays).toBe(3);

      // Back to app-config.
      const reset = await put({ access: null });
      expect(reset.body.values.access.maxDurationDays).toBe(30);
      expect(reset.body.sources.access).toBe('config');
    } finally {
      await backend.stop();
    }
  });

  it('the expiry pass reads the notice days from the settings on every run', async () => {
    const engine = await AppAccessEngine.create({
      config: new ConfigReader({
        appAccess: { access: { expiryNoticeDays: 5 } },
      }),
      logger: mockServices.logger.mock(),
      knex: await databases.init(databaseId),
    });
    expect(await engine.expiryNoticeDays()).toBe(5);
    await engine.settings.update({ access: { expiryNoticeDays: 1 } }, ADMIN);
    expect(await engine.expiryNoticeDays()).toBe(1);
    await engine.settings.update({ access: null }, ADMIN);
    expect(await engine.expiryNoticeDays()).toBe(5);
  });

  it('shows each installed module as it reported itself, configured or not', async () => {
    const knex = await databases.init(databaseId);
    const reporting = createBackendModule({
      pluginId: 'app-access',
      moduleId: 'reporting',
      register(reg) {
        reg.registerInit({
          deps: { modules: appAccessModulesExtensionPoint },
          async init({ modules }) {
            modules.addModule({
              id: 'jira',
              title: 'Jira Service Management',
              configured: false,
              missing: ['appAccess.jira.baseUrl', 'appAccess.jira.apiToken'],
            });
            modules.addModule({
              id: 'okta',
              title: 'Okta',
              configured: true,
              missing: [],
              details: { orgUrl: 'https://acme.okta.com', sync: true },
            });
            modules.addModule({
              id: 'servicenow',
              title: 'ServiceNow',
              configured: true,
              missing: [],
            });
          },
        });
      },
    });
    const backend = await startAppAccessTestBackend({
      knex,
      features: [reporting],
    });
    try {
      const res = await request(backend.server)
        .get('/api/app-access/settings')
        .set('Authorization', as(ADMIN));
      expect(res.status).toBe(200);
      expect(res.body.integrations).toEqual({
        email: { installed: false, configured: false },
        slack: { installed: false, configured: false },
        msteams: { installed: false, configured: false },
        okta: {
          installed: true,
          configured: true,
          details: { orgUrl: 'https://acme.okta.com', sync: true },
        },
        jira: {
          installed: true,
          configured: false,
          missing: ['appAccess.jira.baseUrl', 'appAccess.jira.apiToken'],
        },
        zendesk: { installed: false, configured: false },
        servicenow: { installed: true, configured: true },
      });
    } finally {
      await backend.stop();
    }
  });

  it('never sends secrets to the browser, and does not guess integrations from config', async () => {
    const knex = await databases.init(databaseId);
    const backend = await startAppAccessTestBackend({
      knex,
      config: {
        appAccess: {
          approvals: {
            fallbackApprover: 'user:default/fiona.fallback',
            method: 'portal',
          },
          email: {
            smtp: {
              host: 'smtp.acme.example',
              auth: { user: 'bot', pass: 'hunter2-smtp' },
            },
            from: { address: 'it@acme.example' },
          },
          slack: {
            botToken: 'xoxb-super-secret',
            signingSecret: 'shh-signing-secret',
          },
          okta: {
            orgUrl: 'https://acme.okta.com',
            apiToken: 'okta-secret-token',
          },
          msteams: {
            webhookUrl: 'https://prod.workflows.example/secret-webhook',
          },
        },
      },
    });
    try {
      const res = await request(backend.server)
        .get('/api/app-access/settings')
        .set('Authorization', as(ADMIN));
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const secret of [
        'hunter2-smtp',
        'xoxb-super-secret',
        'shh-signing-secret',
        'okta-secret-token',
        'secret-webhook',
      ]) {
        expect(text).not.toContain(secret);
      }
      // Only a module knows its own config: none is installed here, so the
      // credentials above configure nothing the page could show.
      for (const id of [
        'email',
        'slack',
        'msteams',
        'okta',
        'jira',
        'zendesk',
      ]) {
        expect(res.body.integrations[id]).toEqual({
          installed: false,
          configured: false,
        });
      }

      const refused = await request(backend.server)
        .get('/api/app-access/settings')
        .set('Authorization', as(JANE));
      expect(refused.status).toBe(403);

      const saved = await request(backend.server)
        .put('/api/app-access/settings')
        .set('Authorization', as(ADMIN))
        .send({
          notifications: {
            emailFromName: 'Acme IT',
            emailFromAddress: 'apps@acme.example',
          },
          peers: { roleBasis: 'department', showNames: 'none' },
        });
      expect(saved.status).toBe(200);
      expect(saved.body.sources.notifications).toBe('database');
      expect(saved.body.values.peers).toEqual({
        roleBasis: 'department',
        showNames: 'none',
      });

      const bad = await request(backend.server)
        .put('/api/app-access/settings')
        .set('Authorization', as(ADMIN))
        .send({
          ticketing: { system: 'jira', jira: { serviceDeskId: 'abc' } },
        });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toBe(
        'ticketing.jira.serviceDeskId: must be a numeric id',
      );
    } finally {
      await backend.stop();
    }
  });
});
