// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { readModuleStatus } from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModule from '.';

jest.setTimeout(60_000);

describe('Slack module status on the settings page', () => {
  it('without its config: installed, not configured, naming the keys to set; sends nothing', async () => {
    const view = await readModuleStatus({ module: appAccessModule });
    expect(view.integrations.slack).toEqual({
      installed: true,
      configured: false,
      missing: ['appAccess.slack.botToken', 'appAccess.slack.signingSecret'],
    });
    expect(view.modules.notifiers).not.toContain('slack');
  });

  it('configured: reports its non-secret facts and registers its work', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        slack: {
          botToken: 'xoxb-test-token',
          signingSecret: 'test-signing-secret',
        },
      },
    });
    expect(view.integrations.slack).toEqual({
      installed: true,
      configured: true,
      details: { socketMode: false },
    });
    expect(view.modules.notifiers).toContain('slack');
  });
});
