// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { readModuleStatus } from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModule from '.';

jest.setTimeout(60_000);

describe('Teams module status on the settings page', () => {
  it('without its config: installed, not configured, naming the keys to set (either); posts nothing', async () => {
    const view = await readModuleStatus({ module: appAccessModule });
    expect(view.integrations.msteams).toEqual({
      installed: true,
      configured: false,
      missing: ['appAccess.msteams.webhookUrl', 'appAccess.msteams.bot.appId'],
    });
    expect(view.modules.notifiers).not.toContain('msteams');
  });

  it('webhook only: reports its non-secret facts and registers its work', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        msteams: { webhookUrl: 'https://prod.workflows.example/webhook' },
      },
    });
    expect(view.integrations.msteams).toEqual({
      installed: true,
      configured: true,
      details: { bot: false, channelWebhook: true },
    });
    expect(view.modules.notifiers).toContain('msteams');
  });

  it('bot: names the bot app id, never its secret', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        msteams: {
          bot: {
            appId: '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b',
            appPassword: 'very-secret-value',
            tenantId: '11111111-2222-4333-8444-555555555555',
          },
        },
      },
    });
    expect(view.integrations.msteams).toEqual({
      installed: true,
      configured: true,
      details: {
        bot: true,
        channelWebhook: false,
        botAppId: '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b',
      },
    });
    expect(JSON.stringify(view)).not.toContain('very-secret-value');
    expect(view.modules.notifiers).toContain('msteams');
  });
});
