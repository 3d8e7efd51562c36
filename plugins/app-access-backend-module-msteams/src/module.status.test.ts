// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { readModuleStatus } from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModule from '.';

jest.setTimeout(60_000);

describe('Teams module status on the settings page', () => {
  it('without its config: installed, not configured, naming the keys to set; posts nothing', async () => {
    const view = await readModuleStatus({ module: appAccessModule });
    expect(view.integrations.msteams).toEqual({
      installed: true,
      configured: false,
      missing: ['appAccess.msteams.webhookUrl'],
    });
    expect(view.modules.notifiers).not.toContain('msteams');
  });

  it('configured: reports its non-secret facts and registers its work', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        msteams: { webhookUrl: 'https://prod.workflows.example/webhook' },
      },
    });
    expect(view.integrations.msteams).toEqual({
      installed: true,
      configured: true,
    });
    expect(view.modules.notifiers).toContain('msteams');
  });
});
