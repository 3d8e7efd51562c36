import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import {
  createFakeApi,
  JANE,
  pendingRequest,
  renderInPlugin,
} from '../../../__testUtils__';
import { AdminRequestPage } from '../AdminRequestPage';
import { RequestOversightPage } from './RequestOversightPage';

jest.setTimeout(60_000);

const render = (api = createFakeApi(), displayNames?: Record<string, string>) =>
  renderInPlugin(<RequestOversightPage />, {
    api,
    path: '/apps/admin/requests',
    route: '/apps/admin/requests',
    permissionApi: mockApis.permission(),
    displayNames,
  });

/** The row of a request, by its id. */
const rowOf = (requestId: string) =>
  document
    .querySelector(`a[href="/apps/admin/requests/${requestId}"]`)!
    .closest('tr')!;

describe('RequestOversightPage', () => {
  it('lists people who left with the access App Access granted them', async () => {
    const api = createFakeApi();
    api.listLeavers.mockResolvedValue({
      items: [
        {
          ref: 'user:default/gone.person',
          displayName: 'Gone Person',
          leftAt: '2026-12-06T10:00:00.000Z',
          granted: [
            {
              ...pendingRequest,
              id: 'req-granted',
              status: 'fulfilled',
              appName: 'Notion',
              tierName: 'Editor',
            },
          ],
        },
      ],
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('tab', { name: 'People who left' }),
    );
    const granted = await screen.findByRole('list', {
      name: 'Access granted to Gone Person',
    });
    expect(
      within(granted).getByRole('link', { name: 'Notion — Editor' }),
    ).toHaveAttribute('href', '/apps/admin/requests/req-granted');
    expect(api.listLeavers).toHaveBeenCalledTimes(1);
  });

  it('lists removals waiting for IT and that gave up, and marks one removed', async () => {
    const api = createFakeApi();
    await render(api, {
      'user:default/kim.lee': 'Kim Lee',
      'user:default/leo.park': 'Leo Park',
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Removals' }));
    const manual = (await screen.findByText('Kim Lee')).closest('tr')!;
    expect(
      within(manual).getByText('Waiting for IT to remove it by hand'),
    ).toBeInTheDocument();
    expect(within(manual).getByText('Moved teams')).toBeInTheDocument();
    expect(
      within(manual).getByRole('link', { name: 'Slack — Member' }),
    ).toHaveAttribute('href', '/apps/admin/requests/r-slack');
    const failed = screen.getByText('Leo Park').closest('tr')!;
    expect(
      within(failed).getByText('Removal failed: remove it by hand'),
    ).toBeInTheDocument();

    await userEvent.click(
      within(failed).getByRole('button', {
        name: /^Mark PagerDuty Responder removed/,
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Mark PagerDuty Responder removed?',
    });
    fireEvent.change(within(dialog).getByLabelText('Note (optional)'), {
      target: { value: 'Taken out of the Okta group by hand' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Mark removed' }),
    );
    await waitFor(() =>
      expect(api.markGrantRemoved).toHaveBeenCalledWith('g-pagerduty-leo', {
        note: 'Taken out of the Okta group by hand',
      }),
    );
    expect(
      await screen.findByText('Marked removed: PagerDuty Responder'),
    ).toBeInTheDocument();
    // The list is read again.
    expect(api.listRemovals).toHaveBeenCalledTimes(2);
  });

  it('says when no removal waits', async () => {
    const api = createFakeApi({
      listRemovals: jest.fn(async () => ({ items: [] })),
    });
    await render(api);
    await userEvent.click(await screen.findByRole('tab', { name: 'Removals' }));
    expect(
      await screen.findByText('No removal is waiting for IT.'),
    ).toBeInTheDocument();
  });

  it('lists every request and filters by status, app, requester and age', async () => {
    const api = createFakeApi();
    await render(api);

    expect(
      await screen.findByRole('link', { name: 'GitHub Enterprise — Member' }),
    ).toHaveAttribute('href', '/apps/admin/requests/req-failed');
    expect(
      screen.getByRole('link', { name: 'Slack — Standard' }),
    ).toBeInTheDocument();
    expect(
      screen.getAllByRole('link', { name: 'Figma — Editor' }),
    ).toHaveLength(2);

    await userEvent.click(screen.getByRole('button', { name: 'Status Any' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Failed' }),
    );
    await userEvent.keyboard('{Escape}');
    fireEvent.change(screen.getByLabelText('Older than (days)'), {
      target: { value: '2' },
    });

    await waitFor(() =>
      expect(api.listAdminRequests).toHaveBeenLastCalledWith(
        expect.objectContaining({ status: ['failed'], olderThanDays: 2 }),
      ),
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'Slack — Standard' }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByRole('link', { name: 'GitHub Enterprise — Member' }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'App Any app' }));
    await userEvent.click(await screen.findByRole('option', { name: 'Figma' }));
    fireEvent.change(screen.getByLabelText('Requester'), {
      target: { value: 'user:default/kim.design' },
    });
    await waitFor(() =>
      expect(api.listAdminRequests).toHaveBeenLastCalledWith(
        expect.objectContaining({
          status: ['failed'],
          appId: 'figma',
          requester: 'user:default/kim.design',
          olderThanDays: 2,
        }),
      ),
    );
    expect(
      await screen.findByText('No request matches these filters.'),
    ).toBeInTheDocument();
  });

  it('names requesters by their catalog display names, opening them and not the row', async () => {
    await render(createFakeApi(), { [JANE]: 'Jane Doe' });

    await screen.findByRole('link', { name: 'GitHub Enterprise — Member' });
    const jane = within(rowOf('req-failed')).getByRole('link', {
      name: 'Jane Doe',
    });
    expect(jane).toHaveAttribute('href', '/catalog/default/user/jane.doe');
    // The catalog does not know kim.design: the short ref.
    expect(
      within(rowOf('req-awaiting')).getByRole('link', { name: 'kim.design' }),
    ).toHaveAttribute('href', '/catalog/default/user/kim.design');
    expect(
      screen.getByRole('button', {
        name: 'Retry GitHub Enterprise Member for Jane Doe',
      }),
    ).toBeInTheDocument();

    await userEvent.click(jane);
    expect(
      await screen.findByText('Now at /catalog/default/user/jane.doe'),
    ).toBeInTheDocument();
  });

  it('retries a failed request', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Retry GitHub Enterprise Member for jane.doe',
      }),
    );

    expect(
      await screen.findByText(
        'Retrying GitHub Enterprise Member for jane.doe.',
      ),
    ).toBeInTheDocument();
    expect(api.retryRequest).toHaveBeenCalledWith('req-failed');
    // Only failed requests can be retried.
    expect(
      screen.queryByRole('button', { name: /^Retry Figma/ }),
    ).not.toBeInTheDocument();
    await waitFor(() =>
      expect(api.listAdminRequests.mock.calls.length).toBeGreaterThan(1),
    );
  });

  it('marks a request fulfilled with a note', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Mark Figma Editor for kim.design fulfilled',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Mark fulfilled' }),
    );
    expect(within(dialog).getByLabelText(/Note/)).toHaveAccessibleDescription(
      'Say what was done, for the audit trail',
    );
    expect(api.markFulfilled).not.toHaveBeenCalled();

    fireEvent.change(within(dialog).getByLabelText(/Note/), {
      target: { value: 'Seat assigned in the Figma admin console' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Mark fulfilled' }),
    );

    expect(
      await screen.findByText('Marked Figma Editor for kim.design fulfilled.'),
    ).toBeInTheDocument();
    expect(api.markFulfilled).toHaveBeenCalledWith('req-awaiting', {
      note: 'Seat assigned in the Figma admin console',
    });
  });

  it('lists dead jobs with their last error, and retries one', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('tab', { name: 'Dead jobs' }),
    );
    expect(
      await screen.findByText('Okta answered 404: user jane.doe not found'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'req-failed' })).toHaveAttribute(
      'href',
      '/apps/admin/requests/req-failed',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Retry job 42' }));

    expect(
      await screen.findByText('Job 42 (fulfill) is queued again.'),
    ).toBeInTheDocument();
    expect(api.retryJob).toHaveBeenCalledWith('42');
    expect(api.listOutbox).toHaveBeenCalledWith({ status: 'dead', limit: 200 });
  });
});

describe('AdminRequestPage', () => {
  it('shows the request with its history, and retries it', async () => {
    const api = createFakeApi();
    await renderInPlugin(<AdminRequestPage />, {
      api,
      path: '/apps/admin/requests/:requestId',
      route: '/apps/admin/requests/req-failed',
      permissionApi: mockApis.permission(),
    });

    expect(
      await screen.findByRole('heading', {
        name: 'GitHub Enterprise — Member',
      }),
    ).toBeInTheDocument();
    expect(api.getAdminRequest).toHaveBeenCalledWith('req-failed');
    expect(screen.getByText('Granting access failed')).toBeInTheDocument();
    expect(
      screen.getByText('Fulfilment failed: User jane.doe is not in Okta'),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Retry GitHub Enterprise Member for jane.doe',
      }),
    );
    expect(
      await screen.findByText(
        'Retrying GitHub Enterprise Member for jane.doe.',
      ),
    ).toBeInTheDocument();
    await waitFor(() => expect(api.getAdminRequest).toHaveBeenCalledTimes(2));
  });
});

describe('RequestOversightPage with many requests', () => {
  it('pages by 25 without complaints from the pagination', async () => {
    // MUI's Select warns about a value it has no option for.
    const warnings = jest.spyOn(console, 'warn');
    try {
      const many = Array.from({ length: 30 }, (_, i) => ({
        ...pendingRequest,
        id: `req-many-${i}`,
      }));
      await render(
        createFakeApi({
          listAdminRequests: jest.fn(async () => ({ items: many })),
        }),
      );

      expect(await screen.findByText('Requests (30)')).toBeInTheDocument();
      expect(screen.getAllByText('1-25 of 30').length).toBeGreaterThan(0);
      const complaints = warnings.mock.calls.filter(args =>
        /out-of-range/.test(args.map(String).join(' ')),
      );
      expect(complaints).toEqual([]);
    } finally {
      warnings.mockRestore();
    }
  });
});
