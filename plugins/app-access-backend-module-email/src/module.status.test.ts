// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { readModuleStatus } from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModule from '.';

jest.setTimeout(60_000);

describe('Email module status on the settings page', () => {
  it('without its config: installed, not configured, naming the keys to set; sends nothing', async () => {
    const view = await readModuleStatus({ module: appAccessModule });
    expect(view.integrations.email).toEqual({
      installed: true,
      configured: false,
      missing: ['appAccess.email.smtp.host', 'appAccess.email.from.address'],
    });
    expect(view.modules.notifiers).not.toContain('email');
    expect(view.modules.fulfillers).not.toContain('email');
    expect(view.tasks).not.toContain('app-access-email-retention');
  });

  it('configured: reports its non-secret facts and registers its work', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        email: {
          smtp: { host: 'smtp.acme.example' },
          from: { address: 'it@acme.example' },
        },
      },
    });
    expect(view.integrations.email).toEqual({
      installed: true,
      configured: true,
      details: { smtpHost: 'smtp.acme.example', dkim: false },
    });
    expect(view.modules.notifiers).toContain('email');
    expect(view.modules.fulfillers).toContain('email');
    expect(view.tasks).toContain('app-access-email-retention');
  });
});
