import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  createFakeApi,
  pendingApprovals,
  renderInPlugin,
  responseError,
} from '../../__testUtils__';
import { ApprovalsPage } from './ApprovalsPage';

const render = (api = createFakeApi(), displayNames?: Record<string, string>) =>
  renderInPlugin(<ApprovalsPage />, {
    api,
    path: '/apps/approvals',
    route: '/apps/approvals',
    userEntityRef: 'user:default/sam.manager',
    displayNames,
  });

const rowOf = (name: string) =>
  screen.getByRole('link', { name }).closest('tr')!;

describe('ApprovalsPage', () => {
  it('lists what waits for the user, longest waiting first', async () => {
    await render();

    expect(
      await screen.findByText('Waiting for your decision (2)'),
    ).toBeInTheDocument();
    const figma = rowOf('Figma');
    expect(within(figma).getByText('kim.design')).toBeInTheDocument();
    expect(within(figma).getByText('Editor')).toBeInTheDocument();
    expect(within(figma).getByText('Design system work.')).toBeInTheDocument();
    expect(within(figma).getByText('2 days')).toBeInTheDocument();
    expect(within(figma).getByText('Level 2')).toBeInTheDocument();
    expect(within(figma).getByText('as fallback approver')).toBeInTheDocument();

    const github = rowOf('GitHub Enterprise');
    expect(within(github).getByText('alex.dev')).toBeInTheDocument();
    expect(within(github).getByText('3 hours')).toBeInTheDocument();
    expect(within(github).getByText('Level 1')).toBeInTheDocument();

    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('Figma');
    expect(rows[1]).toHaveTextContent('GitHub Enterprise');
  });

  it('tells the approver when all seats are in use', async () => {
    const api = createFakeApi();
    const warning = 'All 50 seats are in use; approving buys one more.';
    api.listApprovals.mockResolvedValue({
      items: [{ ...pendingApprovals[0], seatWarning: warning }],
    });
    await render(api);
    expect(await screen.findByText(warning)).toBeInTheDocument();
  });

  it('finds requesters by display name as well as by ref', async () => {
    await render(createFakeApi(), { 'user:default/alex.dev': 'Alex Dev' });
    await screen.findByText('Waiting for your decision (2)');
    // The name has been looked up once the row shows it.
    await within(rowOf('GitHub Enterprise')).findByRole('link', {
      name: 'Alex Dev',
    });

    const search = screen.getByPlaceholderText('Filter');
    await userEvent.type(search, 'Alex D');
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'Figma' }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByRole('link', { name: 'GitHub Enterprise' }),
    ).toBeInTheDocument();

    await userEvent.clear(search);
    await userEvent.type(search, 'kim.des');
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'GitHub Enterprise' }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('link', { name: 'Figma' })).toBeInTheDocument();
  });

  it('names requesters by their catalog display names, in the row, the dialog and the message', async () => {
    const api = createFakeApi();
    await render(api, { 'user:default/alex.dev': 'Alex Dev' });

    await screen.findByText('Waiting for your decision (2)');
    expect(
      within(rowOf('GitHub Enterprise')).getByRole('link', {
        name: 'Alex Dev',
      }),
    ).toHaveAttribute('href', '/catalog/default/user/alex.dev');
    // The catalog does not know kim.design: the short ref.
    expect(
      within(rowOf('Figma')).getByRole('link', { name: 'kim.design' }),
    ).toHaveAttribute('href', '/catalog/default/user/kim.design');

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Approve GitHub Enterprise for Alex Dev',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent(
      /^Approve GitHub Enterprise \(.+\) for Alex Dev\?$/,
    );
    expect(
      within(dialog).getByText('Optional: Alex Dev sees it with the decision.'),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(
      await screen.findByText('Approved GitHub Enterprise for Alex Dev.'),
    ).toBeInTheDocument();
  });

  it('lets the approver shorten a request with an end, never lengthen it', async () => {
    const timed = pendingApprovals.map(a =>
      a.request.id === 'req-10'
        ? { ...a, request: { ...a.request, durationDays: 7 } }
        : a,
    );
    const api = createFakeApi({
      listApprovals: jest.fn(async () => ({ items: timed })),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Approve GitHub Enterprise for alex.dev',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('Access ends'));
    const options = (await screen.findAllByRole('option')).map(
      o => o.textContent,
    );
    expect(options).toEqual([
      'As requested: 7 days after it is granted',
      'Shorter: 1 day',
      'Shorter: 3 days',
    ]);
    await userEvent.click(
      screen.getByRole('option', { name: 'Shorter: 3 days' }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() =>
      expect(api.decide).toHaveBeenCalledWith('req-10', {
        decision: 'approve',
        durationDays: 3,
      }),
    );
  });

  it('approves with an optional comment and removes the row', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Approve GitHub Enterprise for alex.dev',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Comment'), 'Welcome');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(
      await screen.findByText('Approved GitHub Enterprise for alex.dev.'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.decide).toHaveBeenCalledWith('req-10', {
      decision: 'approve',
      comment: 'Welcome',
    });
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'GitHub Enterprise' }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('link', { name: 'Figma' })).toBeInTheDocument();
  });

  it('requires a reason to deny', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Deny Figma for kim.design' }),
    );
    const dialog = await screen.findByRole('dialog');
    const reason = within(dialog).getByLabelText(/Reason/);
    expect(reason).toBeRequired();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Deny' }));

    expect(
      within(dialog).getByText(
        'Tell kim.design why, so they know what to do instead',
      ),
    ).toBeInTheDocument();
    expect(api.decide).not.toHaveBeenCalled();

    await userEvent.type(reason, 'Use the viewer tier');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deny' }));

    expect(
      await screen.findByText('Denied Figma for kim.design.'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.decide).toHaveBeenCalledWith('req-11', {
      decision: 'deny',
      comment: 'Use the viewer tier',
    });
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'Figma' }),
      ).not.toBeInTheDocument(),
    );
  });

  it('explains a decision that lost the race and refreshes the list', async () => {
    const api = createFakeApi({
      decide: jest.fn(async () => {
        throw responseError(
          409,
          'ConflictError',
          'Already decided: approved by user:default/lee.director',
        );
      }),
    });
    api.listApprovals
      .mockResolvedValueOnce({ items: pendingApprovals })
      .mockResolvedValueOnce({ items: [pendingApprovals[0]] });
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Approve Figma for kim.design',
      }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Approve',
      }),
    );

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Already decided: approved by lee.director',
    );
    expect(alert.className).toMatch(/Info/);
    await waitFor(() => expect(api.listApprovals).toHaveBeenCalledTimes(2));
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'Figma' }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByRole('link', { name: 'GitHub Enterprise' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('keeps the dialog open with the message on other errors', async () => {
    const api = createFakeApi({
      decide: jest.fn(async () => {
        throw responseError(403, 'NotAllowedError', 'You are not an approver');
      }),
    });
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Approve GitHub Enterprise for alex.dev',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'You are not an approver',
    );
    // Still listed (behind the open dialog, hence hidden from the a11y tree).
    expect(
      screen.getByRole('link', { name: 'GitHub Enterprise', hidden: true }),
    ).toBeInTheDocument();
  });

  it('says when nothing is waiting', async () => {
    await render(
      createFakeApi({ listApprovals: jest.fn(async () => ({ items: [] })) }),
    );
    expect(
      await screen.findByText('Nothing waiting for you'),
    ).toBeInTheDocument();
  });
});

describe('ApprovalsPage with real content', () => {
  const essay = `${'We are migrating every design file to the new system. '.repeat(
    19,
  )}The end.`;
  const longApi = () =>
    createFakeApi({
      listApprovals: jest.fn(async () => ({
        items: [
          {
            ...pendingApprovals[0],
            request: { ...pendingApprovals[0].request, justification: essay },
          },
        ],
      })),
    });

  afterEach(() => {
    delete (window as { matchMedia?: unknown }).matchMedia;
  });

  it('shows a long justification as a few lines with more and less', async () => {
    await render(longApi());

    const row = (
      await screen.findByRole('link', { name: 'GitHub Enterprise' })
    ).closest('tr')!;
    expect(within(row).queryByText('The end.', { exact: false })).toBeNull();
    const more = within(row).getByRole('button', { name: 'more' });
    expect(more).toHaveAttribute('aria-expanded', 'false');

    await userEvent.click(more);
    expect(within(row).getByText(essay)).toBeInTheDocument();

    await userEvent.click(within(row).getByRole('button', { name: 'less' }));
    expect(within(row).queryByText(essay)).toBeNull();
    // The decision is still one click away in the same row.
    expect(
      within(row).getByRole('button', {
        name: 'Approve GitHub Enterprise for alex.dev',
      }),
    ).toBeInTheDocument();
  });

  it('on a phone-sized screen puts Approve and Deny under each request', async () => {
    // Every media query matches: the narrowest layout.
    window.matchMedia = jest.fn().mockImplementation((query: string) => ({
      matches: true,
      media: query,
      onchange: null,
      addListener: jest.fn(),
      removeListener: jest.fn(),
      addEventListener: jest.fn(),
      removeEventListener: jest.fn(),
      dispatchEvent: jest.fn(),
    }));
    await render(longApi());

    const list = await screen.findByRole('list', {
      name: 'Waiting for your decision',
    });
    const [card] = within(list).getAllByRole('listitem');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'more' })).toBeVisible();
    await userEvent.click(
      within(card).getByRole('button', {
        name: 'Deny GitHub Enterprise for alex.dev',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    // The deny dialog starts in the reason, ready to type.
    expect(within(dialog).getByLabelText(/Reason/)).toHaveFocus();
  });
});

describe('ApprovalsPage messages', () => {
  it('names the person in a conflict banner by their catalog name', async () => {
    const api = createFakeApi({
      decide: jest.fn(async () => {
        throw responseError(
          409,
          'ConflictError',
          'Already decided: approved by user:default/lee.director. The request is awaiting_it',
        );
      }),
    });
    await render(api, { 'user:default/lee.director': 'Lee Director' });

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Approve Figma for kim.design',
      }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Approve',
      }),
    );

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Already decided: approved by Lee Director. The request is waiting for IT',
    );
    expect(alert).not.toHaveTextContent(/user:|awaiting_it/);
  });
});
