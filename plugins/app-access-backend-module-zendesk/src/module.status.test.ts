// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { readModuleStatus } from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModule from '.';

jest.setTimeout(60_000);

describe('Zendesk module status on the settings page', () => {
  it('without its config: installed, not configured, naming the keys to set; files and follows nothing', async () => {
    const view = await readModuleStatus({ module: appAccessModule });
    expect(view.integrations.zendesk).toEqual({
      installed: true,
      configured: false,
      missing: [
        'appAccess.zendesk.subdomain',
        'appAccess.zendesk.email',
        'appAccess.zendesk.apiToken',
      ],
    });
    expect(view.modules.fulfillers).not.toContain('zendesk');
    expect(view.tasks).not.toContain('app-access-zendesk-follow');
  });

  it('configured: reports its non-secret facts and registers its work', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        zendesk: {
          subdomain: 'acme',
          email: 'bot@acme.example',
          apiToken: 'zendesk-token',
        },
      },
    });
    expect(view.integrations.zendesk).toEqual({
      installed: true,
      configured: true,
      details: { endpointUri: 'https://acme.zendesk.com/api/v2' },
    });
    expect(view.modules.fulfillers).toContain('zendesk');
    expect(view.tasks).toContain('app-access-zendesk-follow');
  });
});
