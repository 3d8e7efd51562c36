// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { readModuleStatus } from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModule from '.';

jest.setTimeout(60_000);

describe('Okta module status on the settings page', () => {
  it('without its config: installed, not configured, naming the keys to set; fulfils and syncs nothing', async () => {
    const view = await readModuleStatus({ module: appAccessModule });
    expect(view.integrations.okta).toEqual({
      installed: true,
      configured: false,
      missing: ['appAccess.okta.orgUrl', 'appAccess.okta.apiToken'],
    });
    expect(view.modules.fulfillers).not.toContain('okta-group');
    expect(view.tasks).not.toContain('app-access-okta-provisioning');
    expect(view.tasks).not.toContain('app-access-okta-sync');
  });

  it('configured: reports its non-secret facts and registers its work', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        okta: { orgUrl: 'https://acme.okta.com', apiToken: 'okta-token' },
      },
    });
    expect(view.integrations.okta).toEqual({
      installed: true,
      configured: true,
      details: {
        orgUrl: 'https://acme.okta.com',
        sync: true,
        allowedGroupIds: 'not set: App Access may grant any Okta group',
        allowedAppIds: 'not set: App Access may grant any Okta app',
      },
    });
    expect(view.modules.fulfillers).toContain('okta-group');
    expect(view.tasks).toContain('app-access-okta-provisioning');
    expect(view.tasks).toContain('app-access-okta-sync');
  });
});
