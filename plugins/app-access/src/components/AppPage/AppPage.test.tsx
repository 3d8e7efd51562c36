import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  createFakeApi,
  figma,
  github,
  renderInPlugin,
} from '../../__testUtils__';
import { AppPage } from './AppPage';

const render = (
  appId: string,
  api = createFakeApi(),
  displayNames?: Record<string, string>,
) =>
  renderInPlugin(<AppPage />, {
    api,
    path: '/apps/:appId',
    route: `/apps/${appId}`,
    displayNames,
  });

/** The owner in the app's details. */
const owner = () =>
  screen.getByText('Owner', { selector: 'dt' })
    .nextElementSibling as HTMLElement;

describe('AppPage', () => {
  it('shows the app, its owner and its tiers', async () => {
    const api = createFakeApi();
    await render('github', api);

    expect(
      await screen.findByRole('heading', { name: 'GitHub Enterprise' }),
    ).toBeInTheDocument();
    expect(api.getApp).toHaveBeenCalledWith('github');
    expect(screen.getByText('by GitHub')).toBeInTheDocument();
    expect(
      screen.getByText('Source code hosting and reviews.'),
    ).toBeInTheDocument();
    expect(
      within(owner()).getByRole('link', { name: 'platform' }),
    ).toHaveAttribute('href', '/catalog/default/group/platform');
    const tier = screen.getByTestId('tier-member');
    expect(within(tier).getByText('Member')).toBeInTheDocument();
    expect(within(tier).getByText('Organisation member.')).toBeInTheDocument();
    expect(within(tier).getByText('Needs approval')).toBeInTheDocument();
    expect(
      screen.getByText("You haven't requested this app yet."),
    ).toBeInTheDocument();
  });

  it('says which tiers need approval and which do not', async () => {
    await render('figma');

    await screen.findByRole('heading', { name: 'Figma' });
    expect(
      within(screen.getByTestId('tier-viewer')).getByText('No approval needed'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('tier-editor')).getByText('Needs approval'),
    ).toBeInTheDocument();
  });

  it('links to the current request and blocks a second one', async () => {
    await render('figma');

    await screen.findByRole('heading', { name: 'Figma' });
    expect(
      screen.getByRole('link', { name: 'View your request' }),
    ).toHaveAttribute('href', '/apps/requests/req-1');
    expect(screen.getByText('Pending approval')).toBeInTheDocument();
    // Only the tier with the open request is blocked, and it says why.
    const editor = screen.getByRole('button', { name: 'Request Editor' });
    expect(editor).toBeDisabled();
    await userEvent.hover(editor.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'You already have an open request for this tier',
    );
    expect(
      screen.getByRole('button', { name: 'Request Viewer' }),
    ).toBeEnabled();
    expect(
      screen.getByRole('button', { name: 'Request another tier' }),
    ).toBeEnabled();
    expect(screen.queryByText(/Request pending/i)).not.toBeInTheDocument();
  });

  it('blocks the main button, saying why, when every tier is asked for', async () => {
    const api = createFakeApi({
      getApp: jest.fn(async () => ({
        ...github,
        myRequest: {
          id: 'req-gh',
          tierId: 'member',
          status: 'awaiting_it' as const,
        },
      })),
    });
    await render('github', api);

    await screen.findByRole('heading', { name: 'GitHub Enterprise' });
    expect(screen.getByText('Waiting for IT')).toBeInTheDocument();
    const main = screen.getByRole('button', { name: 'Request access' });
    expect(main).toBeDisabled();
    await userEvent.hover(main.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'You already have an open request for this app',
    );
  });

  it('offers the other tier in the form, with the requested one marked', async () => {
    await render('figma');

    await userEvent.click(
      await screen.findByRole('button', { name: 'Request Viewer' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByRole('radio', { name: /Editor/ }),
    ).toBeDisabled();
    expect(within(dialog).getByText('Already requested')).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: /Viewer/ })).toBeChecked();
  });

  it('shows that the user already has the app', async () => {
    // Granted before access had an end: a fulfilled request, no grant.
    await render(
      'slack',
      createFakeApi({ listMyAccess: jest.fn(async () => ({ items: [] })) }),
    );

    await screen.findByRole('heading', { name: 'Slack' });
    expect(
      screen.getByText('You have access to this app.'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('You have it').length).toBeGreaterThan(0);
  });

  it('opens the request form with the tier that was picked', async () => {
    const api = createFakeApi();
    await render('github', api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Request Member' }),
    );

    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Request access to GitHub Enterprise'),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: /Member/ })).toBeChecked();
  });

  it('opens the request form from the main button', async () => {
    await render('github');

    await screen.findByRole('heading', { name: 'GitHub Enterprise' });
    await userEvent.click(
      screen.getAllByRole('button', { name: 'Request access' })[0],
    );

    expect(await screen.findByRole('dialog')).toBeInTheDocument();
  });

  it('says when the app does not exist', async () => {
    await render('nope');

    expect(await screen.findByText('App not found')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Back to the catalog' }),
    ).toHaveAttribute('href', '/apps');
  });

  it('shows a user owner by name, not as "user:…"', async () => {
    await render('jira');

    await screen.findByRole('heading', { name: 'Jira Software' });
    const link = within(owner()).getByRole('link', { name: 'olivia.owner' });
    expect(link).toHaveAttribute('href', '/catalog/default/user/olivia.owner');
    expect(screen.queryByText(/user:olivia\.owner/)).not.toBeInTheDocument();
  });

  it('shows the owner by their catalog display name', async () => {
    await render('jira', createFakeApi(), {
      'user:default/olivia.owner': 'Olivia Owner',
    });

    await screen.findByRole('heading', { name: 'Jira Software' });
    expect(
      within(owner()).getByRole('link', { name: 'Olivia Owner' }),
    ).toHaveAttribute('href', '/catalog/default/user/olivia.owner');
  });

  it('cannot request a tier the user already has', async () => {
    await render('slack');

    await screen.findByRole('heading', { name: 'Slack' });
    expect(
      screen.getByRole('button', { name: 'Request access' }),
    ).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'You have Standard' }),
    ).toBeDisabled();
  });

  it('still offers the tiers the user does not have', async () => {
    const api = createFakeApi({
      getApp: jest.fn(async () => ({
        ...figma,
        myRequest: {
          id: 'req-v',
          tierId: 'viewer',
          status: 'fulfilled' as const,
        },
      })),
    });
    await render('figma', api);

    await screen.findByRole('heading', { name: 'Figma' });
    expect(
      screen.getByRole('button', { name: 'You have Viewer' }),
    ).toBeDisabled();
    const editor = screen.getByRole('button', { name: 'Request Editor' });
    expect(editor).toBeEnabled();

    await userEvent.click(
      screen.getByRole('button', { name: 'Request another tier' }),
    );
    const dialog = await screen.findByRole('dialog');
    // The only tier left is picked; the one they have cannot be.
    expect(
      within(dialog).getByRole('radio', { name: /Viewer/ }),
    ).toBeDisabled();
    expect(within(dialog).getByRole('radio', { name: /Editor/ })).toBeChecked();
  });

  it('shows who uses the app', async () => {
    await render('slack');

    expect(
      await screen.findByText('5 of 6 on your team use it'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Kim Design' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Names outside your team are hidden/),
    ).toBeInTheDocument();
  });

  describe('Your access card', () => {
    const card = () => screen.findByTestId('your-access');

    it('shows what the user holds: tier, since, until and how, with Remove', async () => {
      const api = createFakeApi();
      await render('slack', api);
      const grant = await screen.findByTestId('your-grant-member');
      expect(within(grant).getByText('Member')).toBeInTheDocument();
      expect(
        within(grant).getByText('Until you remove it'),
      ).toBeInTheDocument();
      expect(within(grant).getByText('By IT')).toBeInTheDocument();
      // Held until removed: nothing to extend.
      expect(
        within(grant).queryByRole('button', { name: 'Extend' }),
      ).not.toBeInTheDocument();
      fireEvent.click(within(grant).getByRole('button', { name: 'Remove' }));
      fireEvent.click(
        await screen.findByRole('button', { name: 'Remove my access' }),
      );
      await waitFor(() =>
        expect(api.removeAccess).toHaveBeenCalledWith('g-slack'),
      );
      expect(await screen.findByText(/is being removed/)).toBeInTheDocument();
      // The card reloads what the user holds after the change.
      expect(api.listMyAccess).toHaveBeenCalledTimes(2);
    });

    it('offers Extend for access that ends, through the same dialog as My access', async () => {
      const api = createFakeApi({
        getApp: jest.fn(async () => ({
          ...github,
          id: 'pagerduty',
          name: 'PagerDuty',
          myRequest: {
            id: 'r-pagerduty',
            tierId: 'member',
            status: 'fulfilled' as const,
          },
        })),
      });
      await render('pagerduty', api);
      const grant = await screen.findByTestId('your-grant-responder');
      expect(within(grant).getByText('Okta group')).toBeInTheDocument();
      fireEvent.click(within(grant).getByRole('button', { name: 'Extend' }));
      fireEvent.change(
        await screen.findByLabelText('Why do you need it longer?'),
        { target: { value: 'Another on-call week' } },
      );
      fireEvent.click(
        screen.getByRole('button', { name: 'Request extension' }),
      );
      await waitFor(() =>
        expect(api.extendAccess).toHaveBeenCalledWith('g-pagerduty', {
          durationDays: 1,
          justification: 'Another on-call week',
        }),
      );
    });

    it('says the user has not asked when they hold nothing', async () => {
      await render('github');
      const yours = await card();
      expect(
        await within(yours).findByText("You haven't requested this app yet."),
      ).toBeInTheDocument();
      await waitFor(() =>
        expect(within(yours).queryByTestId('progress')).not.toBeInTheDocument(),
      );
      expect(
        within(yours).queryByRole('button', { name: 'Remove' }),
      ).toBeNull();
    });

    it('says so when what the user holds cannot be loaded', async () => {
      const api = createFakeApi({
        listMyAccess: jest.fn(async () => {
          throw new Error('backend down');
        }),
      });
      await render('github', api);
      expect(
        await screen.findByText(/Could not load what you hold: backend down/),
      ).toBeInTheDocument();
    });
  });
});
