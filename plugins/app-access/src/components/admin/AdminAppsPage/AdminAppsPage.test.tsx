import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import {
  createFakeApi,
  renderInPlugin,
  responseError,
  settingsResponse,
} from '../../../__testUtils__';
import { AdminAppsPage } from './AdminAppsPage';

jest.setTimeout(60_000);

const render = (api = createFakeApi(), displayNames?: Record<string, string>) =>
  renderInPlugin(<AdminAppsPage />, {
    api,
    path: '/apps/admin/apps',
    route: '/apps/admin/apps',
    permissionApi: mockApis.permission(),
    displayNames,
  });

const rows = () =>
  screen
    .getAllByRole('row')
    .map(r => r.textContent ?? '')
    .filter(Boolean);

describe('AdminAppsPage', () => {
  it('keeps the app name column wide enough to read', async () => {
    await render();
    const cell = (
      await screen.findByRole('link', { name: 'GitHub Enterprise' })
    ).closest('td');
    expect(cell).toHaveStyle({ minWidth: '240px' });
  });

  it('names owners by their catalog display names', async () => {
    await render(createFakeApi(), {
      'group:default/platform': 'Platform Team',
    });

    const github = (
      await screen.findByRole('link', { name: 'GitHub Enterprise' })
    ).closest('tr')!;
    expect(
      within(github).getByRole('link', { name: 'Platform Team' }),
    ).toHaveAttribute('href', '/catalog/default/group/platform');
    // Not in the catalog: the short ref.
    const figma = screen.getByRole('link', { name: 'Figma' }).closest('tr')!;
    expect(within(figma).getByRole('link', { name: 'design' })).toHaveAttribute(
      'href',
      '/catalog/default/group/design',
    );
  });

  it('lists apps in and not in the catalog, with search', async () => {
    const api = createFakeApi();
    await render(api);

    expect(
      await screen.findByRole('link', { name: 'GitHub Enterprise' }),
    ).toHaveAttribute('href', '/apps/admin/apps/github');
    expect(screen.getByRole('link', { name: 'Figma' })).toBeInTheDocument();
    expect(screen.queryByText('Loom')).not.toBeInTheDocument();
    expect(api.listAdminApps).toHaveBeenCalledWith(
      expect.objectContaining({ listed: true }),
    );

    await userEvent.click(screen.getByRole('tab', { name: 'Not in catalog' }));
    expect(
      await screen.findByRole('link', { name: 'Loom' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Lucidchart' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: 'Figma' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Add Loom to catalog' }),
    ).toBeInTheDocument();

    fireEvent.change(screen.getByRole('textbox', { name: 'Search apps' }), {
      target: { value: 'lucid' },
    });
    await waitFor(() =>
      expect(api.listAdminApps).toHaveBeenCalledWith(
        expect.objectContaining({ listed: false, q: 'lucid' }),
      ),
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'Loom' }),
      ).not.toBeInTheDocument(),
    );
    expect(rows().some(r => r.includes('Lucidchart'))).toBe(true);
  });

  it('adds an app to the catalog through the editor', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      await screen.findByRole('tab', { name: 'Not in catalog' }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add Loom to catalog' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Add Loom to the catalog',
    });
    expect(
      within(dialog).getByRole('checkbox', { name: /Listed in the catalog/ }),
    ).toBeChecked();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Save app' }),
    );

    expect(
      await screen.findByText('Loom is now in the catalog.'),
    ).toBeInTheDocument();
    expect(api.saveApp).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'loom', listed: true }),
    );
    expect(api.createApp).not.toHaveBeenCalled();
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('tab', { name: 'In catalog' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('shows Okta apps not yet known, and adds one prefilled', async () => {
    const api = createFakeApi();
    await render(api);

    const okta = await screen.findByTestId('discovered-in-okta');
    expect(within(okta).getByText('Zoom')).toBeInTheDocument();
    // Figma (a tier's Okta app) and Loom (the app's Okta id) are known.
    expect(within(okta).queryByText('Figma')).not.toBeInTheDocument();
    expect(within(okta).queryByText('Loom')).not.toBeInTheDocument();

    await userEvent.click(
      within(okta).getByRole('button', { name: 'Add Zoom' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Add Zoom from Okta',
    });
    expect(within(dialog).getByLabelText(/^Name/)).toHaveValue('Zoom');
    expect(within(dialog).getByLabelText(/^Id/)).toHaveValue('zoom');
    expect(within(dialog).getByLabelText(/^Logo URL/)).toHaveValue(
      'https://ok.example/zoom.png',
    );
    fireEvent.change(within(dialog).getByLabelText(/^Category/), {
      target: { value: 'Communication' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create app' }),
    );

    await waitFor(() => expect(api.createApp).toHaveBeenCalled());
    expect(api.createApp).toHaveBeenCalledWith({
      id: 'zoom',
      name: 'Zoom',
      category: 'Communication',
      logo: { url: 'https://ok.example/zoom.png' },
      listed: false,
      externalIds: { oktaAppId: '0oaZoom' },
      tiers: [
        {
          id: 'standard',
          name: 'Standard',
          fulfillment: { type: 'okta-app', oktaAppId: '0oaZoom' },
        },
      ],
    });
  });

  it('has no Okta section without the Okta module, and opens a blank editor for a new app', async () => {
    const api = createFakeApi({
      listOktaApps: jest.fn(async () => {
        throw responseError(404, 'NotFoundError', 'Not found');
      }),
    });
    await render(api);

    expect(
      await screen.findByRole('link', { name: 'Figma' }),
    ).toBeInTheDocument();
    await waitFor(() => expect(api.listOktaApps).toHaveBeenCalled());
    expect(screen.queryByTestId('discovered-in-okta')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'New app' }));
    const dialog = await screen.findByRole('dialog', { name: 'New app' });
    expect(within(dialog).getByLabelText(/^Name/)).toHaveValue('');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });
});

describe('AdminAppsPage dialogs', () => {
  it('opens the app editor with the cursor in the name', async () => {
    await render();

    await userEvent.click(
      await screen.findByRole('button', { name: 'New app' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'New app' });

    expect(within(dialog).getByLabelText(/^Name/)).toHaveFocus();
  });

  it('does not ask Okta when the Okta module is not installed', async () => {
    const api = createFakeApi({
      getSettings: jest.fn(async () => ({
        ...settingsResponse,
        modules: { fulfillers: ['jira', 'manual'], notifiers: ['email'] },
        integrations: {
          ...settingsResponse.integrations,
          okta: { configured: false, installed: false },
        },
      })),
    });
    await render(api);

    expect(
      await screen.findByText(/Okta module not installed/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'New app' }));
    const dialog = await screen.findByRole('dialog', { name: 'New app' });
    expect(
      within(dialog).getByText(/The Okta module is not installed/),
    ).toBeInTheDocument();
    expect(api.listOktaApps).not.toHaveBeenCalled();
    expect(api.listOktaGroups).not.toHaveBeenCalled();
  });
});

describe('AdminAppsPage at laptop width', () => {
  it('keeps "Add to catalog" and the headers on one line', async () => {
    await render();

    await userEvent.click(
      await screen.findByRole('tab', { name: 'Not in catalog' }),
    );
    const add = await screen.findByRole('button', {
      name: 'Add Loom to catalog',
    });
    expect(add.closest('td')).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(screen.getByRole('columnheader', { name: 'Category' })).toHaveStyle({
      whiteSpace: 'nowrap',
    });
  });
});
