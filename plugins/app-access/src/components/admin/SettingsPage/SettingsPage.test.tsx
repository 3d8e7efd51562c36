import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  createFakeApi,
  renderInPlugin,
  responseError,
  settingsResponse,
} from '../../../__testUtils__';
import { SettingsPage } from './SettingsPage';

const catalogApi = catalogApiMock({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'fiona.fallback', namespace: 'default' },
      spec: { profile: { displayName: 'Fiona Fallback' } },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'it-admins', namespace: 'default' },
      spec: { type: 'team' },
    },
  ],
});

const render = (api = createFakeApi()) =>
  renderInPlugin(<SettingsPage />, {
    api,
    path: '/apps/admin/settings',
    route: '/apps/admin/settings',
    userEntityRef: 'user:default/ivan.admin',
    permissionApi: mockApis.permission(),
    catalogApi,
  });

const form = (name: string) => screen.getByRole('form', { name });

describe('SettingsPage (admin)', () => {
  it('shows each value and where it comes from', async () => {
    await render();

    expect(
      await screen.findByRole('form', { name: 'Default settings' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('source-approvalMethod')).toHaveTextContent(
      'from app-config',
    );
    expect(screen.getByTestId('source-fallbackApprover')).toHaveTextContent(
      'changed here',
    );
    expect(screen.getByTestId('source-reminders')).toHaveTextContent('default');
    // Only values changed here can be reset.
    expect(
      screen.getByRole('button', {
        name: 'Reset Fallback approver to app-config',
      }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', {
        name: 'Reset Approval method to app-config',
      }),
    ).not.toBeInTheDocument();

    expect(screen.getByLabelText('Slack')).toBeChecked();
    expect(
      screen.getByLabelText('Microsoft Teams (module not installed)'),
    ).toBeDisabled();
    expect(screen.getByLabelText('Hours between reminders')).toHaveValue(24);
    expect(screen.getByLabelText('Fallback approver')).toHaveValue(
      'user:default/fiona.fallback',
    );
    expect(screen.getByLabelText('Jira Service Management')).toBeChecked();
    expect(
      screen.getByLabelText('Zendesk (module not installed)'),
    ).not.toBeChecked();
    expect(screen.getByLabelText('Service desk id')).toHaveValue('1');
    expect(screen.getByTestId('teams-webhook')).toHaveTextContent(
      'No Teams bot or webhook configured in app-config',
    );
    // The directory sync status, below the settings.
    expect(
      await screen.findByRole('region', { name: 'Okta sync' }),
    ).toBeInTheDocument();
  });

  it('saves only the changed value, and shows it as changed here', async () => {
    const api = createFakeApi();
    await render(api);

    const interval = await screen.findByLabelText('Hours between reminders');
    await userEvent.clear(interval);
    await userEvent.type(interval, '12');
    await userEvent.click(
      within(form('Default settings')).getByRole('button', {
        name: 'Save default settings',
      }),
    );

    expect(
      await screen.findByText('Default settings saved.'),
    ).toBeInTheDocument();
    expect(api.updateSettings).toHaveBeenCalledTimes(1);
    expect(api.updateSettings).toHaveBeenCalledWith({
      reminders: { intervalHours: 12, maxCount: 3 },
    });
    expect(screen.getByTestId('source-reminders')).toHaveTextContent(
      'changed here',
    );
  });

  it('edits the default and maximum duration and the notice, the default not longer than the maximum', async () => {
    const api = createFakeApi();
    await render(api);

    const def = await screen.findByLabelText('Default duration (days)');
    const max = screen.getByLabelText('Maximum duration (days)');
    const notice = screen.getByLabelText('Notice before the end (days)');
    expect(max).toHaveValue(90);
    expect(notice).toHaveValue(3);
    expect(screen.getByTestId('source-access')).toHaveTextContent(
      'from app-config',
    );
    const save = within(form('Access with an end')).getByRole('button', {
      name: 'Save access with an end',
    });

    await userEvent.type(def, '30');
    await userEvent.clear(max);
    await userEvent.type(max, '14');
    await userEvent.click(save);
    expect(def).toHaveAccessibleDescription(
      'Not longer than the maximum (14 days)',
    );
    await userEvent.clear(notice);
    await userEvent.type(notice, '1.5');
    await userEvent.click(save);
    expect(notice).toHaveAccessibleDescription(
      'A whole number of days, 0 or more (0 turns the notice off)',
    );
    expect(api.updateSettings).not.toHaveBeenCalled();

    await userEvent.clear(def);
    await userEvent.type(def, '7');
    await userEvent.clear(notice);
    await userEvent.type(notice, '2');
    await userEvent.click(save);
    await waitFor(() =>
      expect(api.updateSettings).toHaveBeenCalledWith({
        access: {
          defaultDurationDays: 7,
          maxDurationDays: 14,
          expiryNoticeDays: 2,
        },
      }),
    );
    expect(await screen.findByTestId('source-access')).toHaveTextContent(
      'changed here',
    );
  });

  it('resets a value to app-config with null', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Reset Fallback approver to app-config',
      }),
    );

    expect(
      await screen.findByText('Fallback approver reset to app-config.'),
    ).toBeInTheDocument();
    expect(api.updateSettings).toHaveBeenCalledWith({ fallbackApprover: null });
    expect(screen.getByTestId('source-fallbackApprover')).toHaveTextContent(
      'from app-config',
    );
    expect(screen.getByLabelText('Fallback approver')).toHaveValue('');
  });

  it('checks fields before saving, and puts server messages next to their field', async () => {
    const api = createFakeApi();
    await render(api);

    const desk = await screen.findByLabelText('Service desk id');
    await userEvent.clear(desk);
    await userEvent.type(desk, 'IT desk');
    const save = within(form('Fulfillment')).getByRole('button', {
      name: 'Save fulfillment',
    });
    await userEvent.click(save);
    expect(desk).toHaveAccessibleDescription('Must be a numeric id');
    expect(api.updateSettings).not.toHaveBeenCalled();

    api.updateSettings.mockRejectedValueOnce(
      responseError(
        400,
        'InputError',
        'ticketing.jira.requestTypeId: must be a numeric id; ticketing: the Jira module refused it',
      ),
    );
    await userEvent.clear(desk);
    await userEvent.type(desk, '42');
    await userEvent.click(save);

    const type = screen.getByLabelText('Request type id');
    await waitFor(() =>
      expect(type).toHaveAccessibleDescription('Must be a numeric id'),
    );
    expect(within(form('Fulfillment')).getByRole('alert')).toHaveTextContent(
      'the Jira module refused it',
    );
    expect(api.updateSettings).toHaveBeenCalledWith({
      ticketing: {
        system: 'jira',
        jira: { serviceDeskId: '42', requestTypeId: '10' },
      },
    });
  });

  it('sends a test through a module and shows exactly what it said', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Send test (Jira Service Management)',
      }),
    );
    expect(await screen.findByTestId('module-test-jira')).toHaveTextContent(
      'Works: The jira fulfiller answered',
    );
    expect(api.testModule).toHaveBeenCalledWith('fulfiller', 'jira');

    api.testModule.mockResolvedValueOnce({
      ok: false,
      message: 'Slack said invalid_auth: the bot token was revoked',
      details: ['Check appAccess.slack.botToken'],
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Send test (Slack)' }),
    );
    const slack = await screen.findByTestId('module-test-slack');
    expect(slack).toHaveTextContent(
      'Failed: Slack said invalid_auth: the bot token was revoked',
    );
    expect(slack).toHaveTextContent('Check appAccess.slack.botToken');
    expect(api.testModule).toHaveBeenLastCalledWith('notifier', 'slack');

    // Teams is not installed: no button, a note instead.
    expect(
      screen.queryByRole('button', { name: 'Send test (Microsoft Teams)' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByTestId('module-not-installed-msteams'),
    ).toHaveTextContent(
      'The Microsoft Teams notifier module is not installed in the backend.',
    );
  });

  it('tells an installed module without its config from a missing one, naming the keys to set', async () => {
    const zendeskMissing = [
      'appAccess.zendesk.subdomain',
      'appAccess.zendesk.email',
      'appAccess.zendesk.apiToken',
    ];
    const api = createFakeApi({
      getSettings: jest.fn(async () => ({
        ...structuredClone(settingsResponse),
        integrations: {
          ...structuredClone(settingsResponse.integrations),
          msteams: {
            installed: true,
            configured: false,
            missing: ['appAccess.msteams.webhookUrl'],
          },
          zendesk: {
            installed: true,
            configured: false,
            missing: zendeskMissing,
          },
        },
      })),
    });
    await render(api);

    expect(
      await screen.findByLabelText(
        'Microsoft Teams (Installed, not configured: set appAccess.msteams.webhookUrl)',
      ),
    ).toBeDisabled();
    expect(
      screen.getByLabelText(
        `Zendesk (Installed, not configured: set ${zendeskMissing.join(', ')})`,
      ),
    ).not.toBeChecked();
    expect(
      screen.getByTestId('module-not-configured-msteams'),
    ).toHaveTextContent(
      'Microsoft Teams: Installed, not configured: set appAccess.msteams.webhookUrl.',
    );
    expect(
      screen.queryByTestId('module-not-installed-msteams'),
    ).not.toBeInTheDocument();
  });

  it('says whether Teams approves in a 1:1 chat (bot) or only posts to a channel (webhook)', async () => {
    const api = createFakeApi({
      getSettings: jest.fn(async () => ({
        ...structuredClone(settingsResponse),
        integrations: {
          ...structuredClone(settingsResponse.integrations),
          msteams: {
            installed: true,
            configured: true,
            details: {
              bot: true,
              channelWebhook: false,
              botAppId: '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b',
            },
          },
        },
      })),
    });
    await render(api);
    expect(await screen.findByTestId('teams-webhook')).toHaveTextContent(
      'Teams bot configured in app-config: approvers decide in a 1:1 chat with the bot.',
    );
    expect(screen.getByTestId('integration-Microsoft Teams')).toHaveTextContent(
      'botAppId: 0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b',
    );
  });

  it('says the Teams bot test messages you, and shows why it could not', async () => {
    const settings = structuredClone(settingsResponse);
    const api = createFakeApi({
      getSettings: jest.fn(async () => ({
        ...settings,
        modules: {
          ...settings.modules,
          notifiers: [...(settings.modules?.notifiers ?? []), 'msteams'],
        },
        integrations: {
          ...settings.integrations,
          msteams: {
            installed: true,
            configured: true,
            details: { bot: true, channelWebhook: false },
          },
        },
      })),
    });
    const refusal =
      'Teams bot signed in to Entra; it can reach 3 people, but not you: you (user:default/ivan.admin) have no chat with the App Access bot to send the test to; install the App Access app in Teams first';
    api.testModule.mockResolvedValueOnce({ ok: false, message: refusal });
    await render(api);

    expect(
      await screen.findByTestId('module-test-hint-msteams'),
    ).toHaveTextContent(
      'Sends a test card to your own 1:1 chat with the App Access bot in Teams',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Send test (Microsoft Teams)' }),
    );
    expect(api.testModule).toHaveBeenCalledWith('notifier', 'msteams');
    // Entity refs read as names, as everywhere in the portal.
    expect(await screen.findByTestId('module-test-msteams')).toHaveTextContent(
      `Failed: ${refusal.replace('user:default/', '')}`,
    );
  });

  it('shows a load failure', async () => {
    const api = createFakeApi({
      getSettings: jest.fn(async () => {
        throw responseError(500, 'Error', 'database is down');
      }),
    });
    await render(api);
    expect(
      (await screen.findAllByText(/Request failed with 500/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
  });
});
