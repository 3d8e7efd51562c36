import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  createFakeApi,
  JANE,
  pendingRequest,
  renderInPlugin,
  responseError,
  SAM,
} from '../../__testUtils__';
import { RequestPage } from './RequestPage';

const render = (
  requestId: string,
  api = createFakeApi(),
  userEntityRef?: string,
  displayNames?: Record<string, string>,
) =>
  renderInPlugin(<RequestPage />, {
    api,
    path: '/apps/requests/:requestId',
    route: `/apps/requests/${requestId}`,
    userEntityRef,
    displayNames,
  });

/** The value next to a term of the details list. */
const fact = (term: string) =>
  screen.getByText(term, { selector: 'dt' }).nextElementSibling as HTMLElement;

describe('RequestPage', () => {
  it('shows the request and who it is waiting for', async () => {
    await render('req-1');

    expect(
      await screen.findByRole('heading', { name: 'Figma — Editor' }),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Pending approval').length).toBeGreaterThan(0);
    expect(
      screen.getByText('I design the onboarding flow.'),
    ).toBeInTheDocument();
    expect(fact('Waiting for')).toHaveTextContent('Level 1: sam.manager');
    expect(screen.getByRole('link', { name: 'Figma' })).toHaveAttribute(
      'href',
      '/apps/figma',
    );
  });

  it('tells the whole story: approvals with comments, the ticket, fulfillment', async () => {
    await render('req-slack');

    const history = await screen.findByRole('list', {
      name: 'Request history',
    });
    const items = within(history).getAllByRole('listitem');
    expect(items.map(item => item.querySelector('h6')?.textContent)).toEqual([
      'Submitted',
      'Approved (level 1)',
      'Approved (level 2)',
      'Granting access',
      'Waiting for IT',
      'Marked as done by IT',
    ]);
    expect(within(history).getAllByTestId('event-approved')).toHaveLength(2);
    expect(within(items[1]).getByText('sam.manager')).toBeInTheDocument();
    expect(within(items[1]).getByText('“Welcome aboard”')).toBeInTheDocument();
    expect(within(items[2]).getByText('lee.director')).toBeInTheDocument();
    expect(
      within(items[4]).getByRole('link', { name: /IT-4521/ }),
    ).toHaveAttribute('href', 'https://jira.example.com/browse/IT-4521');
    // Fulfilled requests cannot be cancelled.
    expect(
      screen.queryByRole('button', { name: 'Cancel request' }),
    ).not.toBeInTheDocument();
  });

  it('names people by their catalog display names, linking to them', async () => {
    await render('req-slack', createFakeApi(), undefined, {
      [JANE]: 'Jane Doe',
      [SAM]: 'Sam Manager',
    });

    const history = await screen.findByRole('list', {
      name: 'Request history',
    });
    expect(
      within(fact('Requested by')).getByRole('link', { name: 'Jane Doe' }),
    ).toHaveAttribute('href', '/catalog/default/user/jane.doe');
    const items = within(history).getAllByRole('listitem');
    expect(
      within(items[0]).getByRole('link', { name: 'Jane Doe' }),
    ).toBeInTheDocument();
    expect(
      within(items[1]).getByRole('link', { name: 'Sam Manager' }),
    ).toHaveAttribute('href', '/catalog/default/user/sam.manager');
    // Not in the catalog: the short ref, still linked.
    expect(
      within(items[2]).getByRole('link', { name: 'lee.director' }),
    ).toHaveAttribute('href', '/catalog/default/user/lee.director');
    expect(history).not.toHaveTextContent('user:default/');
  });

  it('names whom it waits for, and who was asked', async () => {
    await render('req-1', createFakeApi(), undefined, {
      [SAM]: 'Sam Manager',
    });

    expect(
      await screen.findByRole('heading', { name: 'Figma — Editor' }),
    ).toBeInTheDocument();
    expect(fact('Waiting for')).toHaveTextContent('Level 1: Sam Manager');
    expect(
      within(fact('Waiting for')).getByRole('link', { name: 'Sam Manager' }),
    ).toHaveAttribute('href', '/catalog/default/user/sam.manager');
    const asked = screen.getByTestId('event-approval_requested');
    expect(asked).toHaveTextContent('Asked: Sam Manager');
    // The system itself is not a person.
    expect(asked).toHaveTextContent('App Access');
  });

  it('explains a failure', async () => {
    await render('req-failed');

    expect(
      await screen.findByText('Granting access failed'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/User jane.doe is not in Okta/).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('cancels after confirming', async () => {
    const api = createFakeApi();
    api.getRequest
      .mockResolvedValueOnce(pendingRequest)
      .mockResolvedValueOnce({ ...pendingRequest, status: 'cancelled' });
    await render('req-1', api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancel request' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Cancel this request?'),
    ).toBeInTheDocument();
    expect(api.cancelRequest).not.toHaveBeenCalled();

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Yes, cancel it' }),
    );

    expect(
      await screen.findByText('Your request was cancelled.'),
    ).toBeInTheDocument();
    expect(api.cancelRequest).toHaveBeenCalledWith('req-1');
    expect(await screen.findByTestId('status-cancelled')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Cancel request' }),
    ).not.toBeInTheDocument();
  });

  it('keeps the request when the user changes their mind', async () => {
    const api = createFakeApi();
    await render('req-1', api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancel request' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Keep it' }));

    expect(api.cancelRequest).not.toHaveBeenCalled();
  });

  it('shows why a cancel was refused', async () => {
    const api = createFakeApi({
      cancelRequest: jest.fn(async () => {
        throw responseError(
          409,
          'ConflictError',
          'Request req-1 can no longer be cancelled: it is fulfilling',
        );
      }),
    });
    await render('req-1', api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancel request' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Yes, cancel it' }),
    );

    expect(
      await screen.findByText(
        'Request req-1 can no longer be cancelled: it is fulfilling',
      ),
    ).toBeInTheDocument();
    // Reloaded to show where the request is now.
    expect(api.getRequest).toHaveBeenCalledTimes(2);
  });

  it('does not offer cancel to someone who is not the requester', async () => {
    await render('req-1', createFakeApi(), SAM);

    await screen.findByRole('heading', { name: 'Figma — Editor' });
    expect(
      screen.queryByRole('button', { name: 'Cancel request' }),
    ).not.toBeInTheDocument();
  });

  it('shows an error for an unknown request', async () => {
    await render('nope');
    expect(
      await screen.findByText(/Request failed with 404/),
    ).toBeInTheDocument();
  });
});

describe('RequestPage in plain words', () => {
  it('tells a failure with modules and people in words', async () => {
    const failed = {
      ...pendingRequest,
      status: 'failed' as const,
      failureReason:
        "The 'okta-group' fulfiller was refused by user:default/it.admin",
      events: [],
    };
    const api = createFakeApi({
      getRequest: jest.fn(async () => failed),
    });
    await render('req-1', api, undefined, {
      'user:default/it.admin': 'Ida Admin',
    });

    expect(await screen.findByText(/Granting access failed/)).toHaveTextContent(
      'Granting access failed: The Okta group fulfiller was refused by Ida Admin.',
    );
    expect(
      screen.queryByText(/user:default|okta-group/),
    ).not.toBeInTheDocument();
  });

  it.each([
    {
      fulfilledBy: 'okta-group',
      externalRef: 'okta-group:00g-figma:00u-jane',
      label: 'Okta group membership',
      text: 'Okta group 00g-figma',
    },
    {
      fulfilledBy: 'okta-app',
      externalRef: 'okta-app:0oa-figma:00u-jane',
      label: 'Okta app assignment',
      text: 'Okta app 0oa-figma',
    },
    {
      fulfilledBy: 'jira',
      externalRef: 'IT-4521',
      externalUrl: 'https://jira.example.com/browse/IT-4521',
      label: 'Jira issue',
      text: 'IT-4521',
    },
    {
      fulfilledBy: 'zendesk',
      externalRef: '1042',
      externalUrl: 'https://acme.zendesk.com/agent/tickets/1042',
      label: 'Zendesk ticket',
      text: '1042',
    },
    {
      fulfilledBy: 'email',
      externalRef: '<app-access-req-1@acme.example>',
      label: 'Email ticket',
      text: '<app-access-req-1@acme.example>',
    },
    // An Okta reference from before fulfilledBy was kept: told by its prefix.
    {
      fulfilledBy: undefined,
      externalRef: 'okta-group:00g-notion:00u-jane',
      label: 'Okta group membership',
      text: 'Okta group 00g-notion',
    },
  ])(
    'labels the fulfilment reference by its kind: $label',
    async ({ fulfilledBy, externalRef, externalUrl, label, text }) => {
      const api = createFakeApi({
        getRequest: jest.fn(async () => ({
          ...pendingRequest,
          status: 'fulfilled' as const,
          fulfilledBy,
          externalRef,
          externalUrl,
          events: [],
        })),
      });
      await render('req-1', api);

      expect(await screen.findByText(label, { selector: 'dt' })).toBeVisible();
      expect(fact(label)).toHaveTextContent(text);
      expect(screen.queryByText('Ticket', { selector: 'dt' })).toBeNull();
      expect(fact(label)).not.toHaveTextContent(/okta-(group|app):/);
      // Linked where the vendor gave a link, plain text otherwise.
      const link = within(fact(label)).queryByRole('link');
      expect(link?.getAttribute('href') ?? null).toBe(externalUrl ?? null);
    },
  );
});
