// The module is tested against the real core plugin (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { readModuleStatus } from '@app-access/plugin-app-access-backend/testUtils';
import appAccessModule from '.';

jest.setTimeout(60_000);

describe('Jira module status on the settings page', () => {
  it('without its config: installed, not configured, naming the keys to set; files and follows nothing', async () => {
    const view = await readModuleStatus({ module: appAccessModule });
    expect(view.integrations.jira).toEqual({
      installed: true,
      configured: false,
      missing: [
        'appAccess.jira.baseUrl',
        'appAccess.jira.email',
        'appAccess.jira.apiToken',
      ],
    });
    expect(view.modules.fulfillers).not.toContain('jira');
    expect(view.tasks).not.toContain('app-access-jira-follow');
  });

  it('configured: reports its non-secret facts and registers its work', async () => {
    const view = await readModuleStatus({
      module: appAccessModule,
      appAccess: {
        jira: {
          baseUrl: 'https://acme.atlassian.net',
          email: 'bot@acme.example',
          apiToken: 'jira-token',
        },
      },
    });
    expect(view.integrations.jira).toEqual({
      installed: true,
      configured: true,
      details: { baseUrl: 'https://acme.atlassian.net' },
    });
    expect(view.modules.fulfillers).toContain('jira');
    expect(view.tasks).toContain('app-access-jira-follow');
  });
});
