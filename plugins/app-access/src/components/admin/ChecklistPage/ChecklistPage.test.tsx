import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import { AccessRequest, Checklist } from '@app-access/plugin-app-access-common';
import {
  createFakeApi,
  renderInPlugin,
  settingsResponse,
} from '../../../__testUtils__';
import { ChecklistPage } from './ChecklistPage';

jest.setTimeout(60_000);

type Step = Checklist['steps'][number];

const seen = (id: Step['id'], requestId: string): Step => ({
  id,
  seen: true,
  requestId,
  at: '2030-01-02T10:00:00Z',
});

describe('ChecklistPage', () => {
  it('marks the steps the backend saw one request follow all the way', async () => {
    let steps: Step[] = [
      seen('deny-level-1', 'r-jira'),
      seen('deny-level-2', 'r-notion'),
      { id: 'ignore', seen: false },
      seen('okta', 'r-figma'),
      { id: 'ticket', seen: false },
    ];
    const api = createFakeApi({
      getChecklist: jest.fn(async () => ({ steps })),
    });
    await renderInPlugin(<ChecklistPage />, {
      api,
      path: '/apps/admin/checklist',
      route: '/apps/admin/checklist',
      permissionApi: mockApis.permission(),
    });

    expect(await screen.findByTestId('checklist-summary')).toHaveTextContent(
      '3 of 5 seen to work',
    );
    const step = (id: string) => screen.getByTestId(`checklist-${id}`);
    expect(step('deny-level-1')).toHaveTextContent('Seen to work');
    expect(step('deny-level-2')).toHaveTextContent('Seen to work');
    expect(step('ignore')).toHaveTextContent('Not seen yet');
    expect(step('okta')).toHaveTextContent('Seen to work');
    expect(step('ticket')).toHaveTextContent('Not seen yet');

    // Each step names the app, tier and personas, its path, and links to the app page.
    const a = step('deny-level-1');
    expect(
      within(a).getByRole('link', { name: 'Jira Software › User' }),
    ).toHaveAttribute('href', '/apps/jira-software');
    expect(a).toHaveTextContent('Sign in as jane.doe');
    expect(a).toHaveTextContent('sam.manager');
    expect(a).toHaveTextContent('one approval level');
    expect(within(a).getByRole('link', { name: 'r-jira' })).toHaveAttribute(
      'href',
      '/apps/admin/requests/r-jira',
    );
    expect(step('deny-level-2')).toHaveTextContent('olivia.owner');
    expect(api.getChecklist).toHaveBeenCalledTimes(1);

    // A reminder and a ticket later, "Check again" sees them.
    steps = steps.map(s =>
      s.seen ? s : seen(s.id, s.id === 'ignore' ? 'r-asana' : 'r-salesforce'),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Check again' }));
    expect(await screen.findByText('5 of 5 seen to work')).toBeInTheDocument();
    expect(
      within(step('ticket')).getByRole('link', { name: 'r-salesforce' }),
    ).toHaveAttribute('href', '/apps/admin/requests/r-salesforce');
  });

  it('says what a step needs, and sends reminders now for a request waiting for approval', async () => {
    const pending = {
      id: 'r-asana',
      status: 'pending_approval',
      appId: 'asana',
      appName: 'Asana',
      tierId: 'member',
      tierName: 'Member',
    } as AccessRequest;
    const settings = structuredClone(settingsResponse);
    settings.integrations.okta = { configured: false, installed: true };
    settings.values.ticketing = { system: 'manual' };
    const api = createFakeApi({
      listAdminRequests: jest.fn(async (query: any = {}) => ({
        items: query.status?.includes('pending_approval') ? [pending] : [],
      })),
      getSettings: jest.fn(async () => settings),
      remindApprovers: jest.fn(async () => pending),
      // The admin's own Figma › Dev seat request is still open.
      listMyRequests: jest.fn(async () => ({
        items: [
          {
            id: 'r-mine',
            appId: 'figma',
            tierId: 'dev',
            status: 'pending_approval',
          } as AccessRequest,
        ],
      })),
    });
    await renderInPlugin(<ChecklistPage />, {
      api,
      path: '/apps/admin/checklist',
      route: '/apps/admin/checklist',
      permissionApi: mockApis.permission(),
    });
    const step = async (id: string) => screen.findByTestId(`checklist-${id}`);
    expect(await step('okta')).toHaveTextContent(
      'Needs the Okta module, configured (appAccess.okta)',
    );
    expect(
      within(await step('okta')).getByRole('link', { name: /Set up Okta/ }),
    ).toHaveAttribute('href', expect.stringContaining('docs/okta.md'));
    expect(await step('ticket')).toHaveTextContent(
      'Needs a ticketing system: choose Jira, Zendesk or email',
    );
    expect(await step('ticket')).toHaveTextContent('vendor sandbox');
    expect(await step('okta')).toHaveTextContent(
      'Your own request for Figma › Dev seat is still open',
    );
    expect(
      within(await step('okta')).getByRole('link', {
        name: 'Figma › Full seat',
      }),
    ).toHaveAttribute('href', '/apps/figma');
    // Deny steps need nothing more.
    expect(await step('deny-level-1')).not.toHaveTextContent('Needs');

    await userEvent.click(
      within(await step('ignore')).getByRole('button', {
        name: 'Send reminders now for Asana › Member',
      }),
    );
    expect(api.remindApprovers).toHaveBeenCalledWith('r-asana');
  });
});
