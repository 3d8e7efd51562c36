import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import {
  apps,
  createFakeApi,
  renderInPlugin,
  responseError,
} from '../../__testUtils__/fakeApi';
import { AppsPage, CARDS_PER_BATCH, VIEW_STORAGE_KEY } from './AppsPage';

const render = (api = createFakeApi(), route = '/apps') =>
  renderInPlugin(<AppsPage />, { api, route });

describe('AppsPage', () => {
  beforeEach(() => window.localStorage.clear());

  it('lists the catalog as cards linking to each app', async () => {
    const api = createFakeApi();
    await render(api);

    expect(await screen.findByText('Slack')).toBeInTheDocument();
    expect(screen.getByText('Figma')).toBeInTheDocument();
    expect(screen.getByText('GitHub Enterprise')).toBeInTheDocument();
    expect(screen.getByText('4 apps')).toBeInTheDocument();
    expect(screen.getByTestId('app-card-figma')).toHaveAttribute(
      'href',
      '/apps/figma',
    );
    expect(api.listApps).toHaveBeenCalledWith({
      limit: 200,
      cursor: undefined,
    });
  });

  it('shows "Requested" and "You have it" badges from myRequest', async () => {
    await render();

    const figma = await screen.findByTestId('app-card-figma');
    expect(within(figma).getByText('Requested')).toBeInTheDocument();
    const slack = screen.getByTestId('app-card-slack');
    expect(within(slack).getByText('You have it')).toBeInTheDocument();
    // Denied requests are not "open": no badge.
    const miro = screen.getByTestId('app-card-miro');
    expect(within(miro).queryByText('Requested')).not.toBeInTheDocument();
    expect(within(miro).queryByText('You have it')).not.toBeInTheDocument();
  });

  it('filters by search text as the user types', async () => {
    await render();
    await screen.findByText('Slack');

    await userEvent.type(screen.getByLabelText('Search apps'), 'white');

    expect(screen.getByText('Miro')).toBeInTheDocument();
    expect(screen.queryByText('Slack')).not.toBeInTheDocument();
    expect(screen.queryByText('Figma')).not.toBeInTheDocument();
    expect(screen.getByText('1 of 4 apps match')).toBeInTheDocument();
  });

  it('filters by category', async () => {
    await render();
    await screen.findByText('Slack');

    await userEvent.selectOptions(screen.getByLabelText('Category'), 'Design');

    expect(screen.getByText('Figma')).toBeInTheDocument();
    expect(screen.getByText('Miro')).toBeInTheDocument();
    expect(screen.queryByText('Slack')).not.toBeInTheDocument();
    expect(screen.queryByText('GitHub Enterprise')).not.toBeInTheDocument();
  });

  it('reads the filters from the URL', async () => {
    await render(createFakeApi(), '/apps?q=git&category=Engineering');

    expect(await screen.findByText('GitHub Enterprise')).toBeInTheDocument();
    expect(screen.queryByText('Slack')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Search apps')).toHaveValue('git');
  });

  it('says when nothing matches and clears the filters', async () => {
    await render();
    await screen.findByText('Slack');

    await userEvent.type(screen.getByLabelText('Search apps'), 'photoshop');

    expect(screen.getByText('No apps match "photoshop"')).toBeInTheDocument();
    await userEvent.click(
      screen.getAllByRole('button', { name: 'Clear filters' })[0],
    );
    expect(await screen.findByText('Slack')).toBeInTheDocument();
    expect(screen.getByLabelText('Search apps')).toHaveValue('');
  });

  it('offers the intake dialog, prefilled with the search, when nothing matches', async () => {
    await render();
    await screen.findByText('Slack');
    await userEvent.type(screen.getByLabelText('Search apps'), 'Linear');

    const emptyState = screen
      .getByText('No apps match "Linear"')
      .closest('div')!.parentElement!.parentElement!;
    await userEvent.click(
      within(emptyState).getByRole('button', { name: "Can't find your app?" }),
    );

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText(/App name/)).toHaveValue('Linear');
  });

  it('shows an error panel when the catalog cannot be loaded', async () => {
    const api = createFakeApi({
      listApps: jest.fn(async () => {
        throw responseError(500, 'Error', 'database is down');
      }),
    });
    await render(api);

    expect(
      await screen.findByText(/Request failed with 500/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is down/).length).toBeGreaterThan(0);
    expect(screen.queryByText('Slack')).not.toBeInTheDocument();
  });

  it('says so when the catalog is empty', async () => {
    await render(
      createFakeApi({ listApps: jest.fn(async () => ({ items: [] })) }),
    );
    expect(
      await screen.findByText('No apps in the catalog yet'),
    ).toBeInTheDocument();
  });

  it('switches to a table and remembers the choice', async () => {
    await render();
    await screen.findByText('Slack');

    await userEvent.click(screen.getByRole('button', { name: 'Table view' }));

    expect(
      await screen.findByRole('columnheader', { name: 'Vendor' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Figma' })).toHaveAttribute(
      'href',
      '/apps/figma',
    );
    expect(screen.queryByTestId('app-card-figma')).not.toBeInTheDocument();
    expect(JSON.parse(window.localStorage.getItem(VIEW_STORAGE_KEY)!)).toBe(
      'table',
    );
  });

  it('starts in the view chosen last time', async () => {
    window.localStorage.setItem(VIEW_STORAGE_KEY, JSON.stringify('table'));
    await render();
    expect(
      await screen.findByRole('columnheader', { name: 'Vendor' }),
    ).toBeInTheDocument();
  });

  it('follows nextCursor and renders a large catalog in batches', async () => {
    const many: CatalogApp[] = Array.from({ length: 250 }, (_, i) => ({
      ...apps[2],
      id: `app-${String(i).padStart(3, '0')}`,
      name: `App ${String(i).padStart(3, '0')}`,
      myRequest: undefined,
    }));
    const api = createFakeApi({
      listApps: jest.fn(async ({ cursor } = {}) =>
        cursor
          ? { items: many.slice(200) }
          : { items: many.slice(0, 200), nextCursor: 'page2' },
      ),
    });
    await render(api);

    expect(await screen.findByText('250 apps')).toBeInTheDocument();
    expect(api.listApps).toHaveBeenCalledTimes(2);
    expect(api.listApps).toHaveBeenLastCalledWith({
      limit: 200,
      cursor: 'page2',
    });
    expect(screen.getAllByTestId(/^app-card-/)).toHaveLength(CARDS_PER_BATCH);

    await userEvent.click(screen.getByRole('button', { name: /Show more/ }));
    expect(screen.getAllByTestId(/^app-card-/)).toHaveLength(
      CARDS_PER_BATCH * 2,
    );
  }, 30_000);

  it('opens an app with the keyboard', async () => {
    await render();
    const card = await screen.findByTestId('app-card-figma');

    card.focus();
    expect(card).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    expect(await screen.findByText('Now at /apps/figma')).toBeInTheDocument();
  });
});
