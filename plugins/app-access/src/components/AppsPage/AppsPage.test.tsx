import { useEffect } from 'react';
import { Link as RouterLink, useLocation } from 'react-router-dom';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CatalogApp, Paginated } from '@app-access/plugin-app-access-common';
import {
  apps,
  createFakeApi,
  github,
  jira,
  renderInPlugin,
  responseError,
} from '../../__testUtils__';
import { CATALOG_CACHE_KEY, forgetCachedCatalog } from '../../lib/catalogCache';
import {
  AppsPage,
  CARDS_PER_BATCH,
  SEARCH_DEBOUNCE_MS,
  SORT_STORAGE_KEY,
  VIEW_STORAGE_KEY,
} from './AppsPage';

const render = (api = createFakeApi(), route = '/apps') =>
  renderInPlugin(<AppsPage />, { api, route });

/** A page the test hands out when it chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('AppsPage', () => {
  beforeEach(() => {
    window.localStorage.clear();
    window.sessionStorage.clear();
    forgetCachedCatalog();
  });

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
    // Rendering 250 apps in jsdom takes seconds; more on a busy 2-core machine.
  }, 120_000);

  it('opens an app clicked before the search reached the URL', async () => {
    // Mounted at /apps/* the catalog sees the navigation to the app page, as
    // it does in a portal while the app page's chunk loads: its search
    // write, still pending, used to fire then and take the user back.
    const Where = () => {
      const { pathname, search } = useLocation();
      return <div data-testid="where">{`${pathname}${search}`}</div>;
    };
    await renderInPlugin(<AppsPage />, {
      api: createFakeApi(),
      path: '/apps/*',
      sidebar: <Where />,
    });
    await screen.findByTestId('app-card-figma');

    fireEvent.change(screen.getByLabelText('Search apps'), {
      target: { value: 'fig' },
    });
    fireEvent.click(screen.getByTestId('app-card-figma'));
    await new Promise(resolve => setTimeout(resolve, SEARCH_DEBOUNCE_MS * 3));

    expect(screen.getByTestId('where').textContent).toBe('/apps/figma');
  });

  it('opens an app with the keyboard', async () => {
    await render();
    const card = await screen.findByTestId('app-card-figma');

    card.focus();
    expect(card).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    expect(await screen.findByText('Now at /apps/figma')).toBeInTheDocument();
  });

  describe('peer usage', () => {
    const cardOrder = () =>
      screen
        .getAllByTestId(/^app-card-/)
        .map(card =>
          card.getAttribute('data-testid')!.slice('app-card-'.length),
        );

    it('shows how many teammates and people in the role use each app', async () => {
      await render();

      const slack = await screen.findByTestId('app-card-slack');
      expect(within(slack).getByText('5 teammates')).toBeInTheDocument();
      expect(within(slack).getByText('9 in your role')).toBeInTheDocument();
      const githubCard = screen.getByTestId('app-card-github');
      expect(within(githubCard).getByText('3 teammates')).toBeInTheDocument();
      expect(
        within(githubCard).getByText('14 in your role'),
      ).toBeInTheDocument();
      // Nobody (figma), or no counts from the backend (miro): no badge.
      for (const id of ['figma', 'miro']) {
        expect(
          within(screen.getByTestId(`app-card-${id}`)).queryByTestId(
            'peer-usage',
          ),
        ).not.toBeInTheDocument();
      }
    });

    it('has a "Used by" column in the table', async () => {
      window.localStorage.setItem(VIEW_STORAGE_KEY, JSON.stringify('table'));
      await render();

      expect(
        await screen.findByRole('columnheader', { name: 'Used by' }),
      ).toBeInTheDocument();
      const row = screen.getByRole('link', { name: 'Slack' }).closest('tr')!;
      expect(within(row).getByText('5 teammates')).toBeInTheDocument();
      expect(within(row).getByText('9 in your role')).toBeInTheDocument();
    });

    it('sorts by use on the team or in the role and remembers it', async () => {
      await render();
      await screen.findByTestId('app-card-slack');
      expect(cardOrder()).toEqual(['figma', 'github', 'miro', 'slack']);

      await userEvent.selectOptions(
        screen.getByLabelText('Sort by'),
        'Popular with my team',
      );
      expect(cardOrder()).toEqual(['slack', 'github', 'figma', 'miro']);
      expect(JSON.parse(window.localStorage.getItem(SORT_STORAGE_KEY)!)).toBe(
        'team',
      );

      await userEvent.selectOptions(
        screen.getByLabelText('Sort by'),
        'Popular in my role',
      );
      expect(cardOrder()).toEqual(['github', 'slack', 'figma', 'miro']);

      await userEvent.selectOptions(screen.getByLabelText('Sort by'), 'Name');
      expect(cardOrder()).toEqual(['figma', 'github', 'miro', 'slack']);
    });

    it('takes the sort from the URL, else from last time', async () => {
      await render(createFakeApi(), '/apps?sort=role');
      await screen.findByTestId('app-card-slack');
      expect(screen.getByLabelText('Sort by')).toHaveValue('role');
      expect(cardOrder()[0]).toBe('github');
    });

    it('starts with the sort chosen last time', async () => {
      window.localStorage.setItem(SORT_STORAGE_KEY, JSON.stringify('team'));
      await render();
      await screen.findByTestId('app-card-slack');
      expect(cardOrder()).toEqual(['slack', 'github', 'figma', 'miro']);
    });

    it('shows what is popular with the team, with the reasons', async () => {
      const api = createFakeApi();
      await render(api);

      const row = await screen.findByRole('region', {
        name: 'Popular with your team',
      });
      expect(api.listRecommendations).toHaveBeenCalledWith({ limit: 10 });
      const jiraCard = within(row).getByTestId('recommendation-jira');
      expect(jiraCard).toHaveAttribute('href', '/apps/jira');
      expect(
        within(jiraCard).getByText('3 of 4 in platform use it'),
      ).toBeInTheDocument();
      expect(
        within(row).getByText(
          '4 of 20 people with your title (Software Engineer) use it',
        ),
      ).toBeInTheDocument();
      // The catalog itself is unchanged.
      expect(screen.getAllByTestId(/^app-card-/)).toHaveLength(4);
    });

    it('opens a recommended app with the keyboard', async () => {
      await render();
      const card = await screen.findByTestId('recommendation-jira');

      card.focus();
      expect(card).toHaveFocus();
      await userEvent.keyboard('{Enter}');

      expect(await screen.findByText('Now at /apps/jira')).toBeInTheDocument();
    });

    it('hides the recommendations while searching', async () => {
      await render();
      await screen.findByRole('region', { name: 'Popular with your team' });

      await userEvent.type(screen.getByLabelText('Search apps'), 'slack');

      expect(
        screen.queryByRole('region', { name: 'Popular with your team' }),
      ).not.toBeInTheDocument();
    });

    it('shows no recommendations row when there are none', async () => {
      const api = createFakeApi({
        listRecommendations: jest.fn(async () => ({ items: [] })),
      });
      await render(api);

      await screen.findByTestId('app-card-slack');
      await waitFor(() => expect(api.listRecommendations).toHaveBeenCalled());
      expect(
        screen.queryByText('Popular with your team'),
      ).not.toBeInTheDocument();
    });

    it('still shows the catalog when recommendations fail', async () => {
      const api = createFakeApi({
        listRecommendations: jest.fn(async () => {
          throw responseError(500, 'Error', 'usage store is down');
        }),
      });
      await render(api);

      expect(await screen.findByTestId('app-card-slack')).toBeInTheDocument();
      await waitFor(() => expect(api.listRecommendations).toHaveBeenCalled());
      expect(
        screen.queryByText('Popular with your team'),
      ).not.toBeInTheDocument();
      expect(screen.queryByText(/usage store is down/)).not.toBeInTheDocument();
    });

    it("ranks a category's apps by use on the team, then in the role", async () => {
      const pm = (
        id: string,
        name: string,
        team: number,
        role: number,
      ): CatalogApp => ({
        ...github,
        id,
        name,
        category: 'Project management',
        myRequest: undefined,
        peers: { team, role },
      });
      const api = createFakeApi({
        listApps: jest.fn(async () => ({
          items: [
            ...apps,
            pm('asana', 'Asana', 1, 9),
            { ...jira, myRequest: { id: 'r', status: 'fulfilled' as const } },
            pm('monday', 'monday.com', 0, 0),
            pm('trello', 'Trello', 1, 2),
          ],
        })),
      });
      await renderInPlugin(<AppsPage />, {
        api,
        route: '/apps',
        config: { organization: { name: 'Acme' } },
      });
      await screen.findByTestId('app-card-slack');
      expect(screen.queryByTestId('category-ranking')).not.toBeInTheDocument();

      await userEvent.selectOptions(
        screen.getByLabelText('Category'),
        'Project management',
      );

      const ranking = screen.getByRole('region', {
        name: 'Project management tools at Acme, by use on your team',
      });
      const entries = within(ranking).getAllByRole('listitem');
      expect(entries.map(e => within(e).getByRole('link').textContent)).toEqual(
        ['Jira Software', 'Asana', 'Trello'],
      );
      expect(entries[0]).toHaveTextContent('3 teammates · 6 in your role');
      expect(within(entries[0]).getByText('You have it')).toBeInTheDocument();
      expect(entries[1]).toHaveTextContent('1 teammate · 9 in your role');
      expect(
        within(ranking).getByRole('link', { name: 'Asana' }),
      ).toHaveAttribute('href', '/apps/asana');
      // monday.com: nobody around uses it, so it is not ranked (but listed).
      expect(within(ranking).queryByText('monday.com')).not.toBeInTheDocument();
      expect(screen.getByTestId('app-card-monday')).toBeInTheDocument();
    });
  });

  describe('loading a catalog of several pages', () => {
    // figma, github | miro, slack: two pages, the second one on demand.
    const [first, second] = [
      [apps[1], apps[2]],
      [apps[3], apps[0]],
    ];

    it('shows the first page while the rest loads, and says so', async () => {
      const page2 = deferred<Paginated<CatalogApp>>();
      const api = createFakeApi({
        listApps: jest.fn(async ({ cursor } = {}) =>
          cursor ? page2.promise : { items: first, nextCursor: 'page2' },
        ),
      });
      await render(api);

      expect(await screen.findByTestId('app-card-figma')).toBeInTheDocument();
      expect(screen.getByTestId('app-card-github')).toBeInTheDocument();
      expect(
        screen.getByText('First 2 apps · loading the rest…'),
      ).toBeInTheDocument();
      expect(api.listApps).toHaveBeenLastCalledWith({
        limit: 200,
        cursor: 'page2',
      });

      // Searching what has loaded says it is only the first apps.
      await userEvent.type(screen.getByLabelText('Search apps'), 'git');
      expect(
        screen.getByText('1 of the first 2 apps match · loading the rest…'),
      ).toBeInTheDocument();
      await userEvent.clear(screen.getByLabelText('Search apps'));
      await userEvent.type(screen.getByLabelText('Search apps'), 'slack');
      expect(
        screen.getByText(
          'None of the first 2 apps match; loading the rest of the catalog…',
        ),
      ).toBeInTheDocument();
      expect(screen.queryByText(/No apps match/)).not.toBeInTheDocument();

      page2.resolve({ items: second });

      expect(await screen.findByText('1 of 4 apps match')).toBeInTheDocument();
      expect(screen.getByTestId('app-card-slack')).toBeInTheDocument();
      await userEvent.clear(screen.getByLabelText('Search apps'));
      expect(screen.getByText('4 apps')).toBeInTheDocument();
      expect(screen.queryByText(/loading the rest/)).not.toBeInTheDocument();
    });

    it('keeps the first pages when a later one fails, and resumes there', async () => {
      let failures = 1;
      const api = createFakeApi({
        listApps: jest.fn(async ({ cursor } = {}) => {
          if (!cursor) {
            return { items: first, nextCursor: 'page2' };
          }
          if (failures-- > 0) {
            throw responseError(503, 'Service Unavailable', 'try later');
          }
          return { items: second };
        }),
      });
      await render(api);

      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent(
        'Only the first 2 apps could be loaded: try later',
      );
      expect(screen.getByTestId('app-card-figma')).toBeInTheDocument();
      expect(screen.getByText('First 2 apps')).toBeInTheDocument();
      expect(api.listApps).toHaveBeenCalledTimes(2);

      await userEvent.click(
        within(alert).getByRole('button', { name: 'Try again' }),
      );

      expect(await screen.findByText('4 apps')).toBeInTheDocument();
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      // Resumed at the page that failed, not from the start.
      expect(api.listApps).toHaveBeenCalledTimes(3);
      expect(api.listApps).toHaveBeenLastCalledWith({
        limit: 200,
        cursor: 'page2',
      });
    });
  });

  describe('coming back to the page', () => {
    it('shows the catalog loaded earlier at once, then the fresh one', async () => {
      const first = await render();
      expect(await screen.findByText('4 apps')).toBeInTheDocument();
      first.unmount();

      const fresh = deferred<Paginated<CatalogApp>>();
      const api = createFakeApi({ listApps: jest.fn(() => fresh.promise) });
      await render(api);

      // The earlier catalog, before the backend has answered.
      expect(await screen.findByTestId('app-card-slack')).toBeInTheDocument();
      expect(screen.getByText('4 apps')).toBeInTheDocument();
      expect(api.listApps).toHaveBeenCalledWith({
        limit: 200,
        cursor: undefined,
      });

      // The refresh replaces it: Slack is gone, Miro has a new name.
      fresh.resolve({
        items: [apps[1], apps[2], { ...apps[3], name: 'Miro Boards' }],
      });
      expect(await screen.findByText('3 apps')).toBeInTheDocument();
      expect(screen.queryByTestId('app-card-slack')).not.toBeInTheDocument();
      expect(screen.getByText('Miro Boards')).toBeInTheDocument();
      // And the fresh one is what the next visit shows first.
      expect(
        JSON.parse(window.sessionStorage.getItem(CATALOG_CACHE_KEY)!).apps,
      ).toHaveLength(3);
    });

    it('keeps showing the earlier catalog when the refresh fails, and says so', async () => {
      const first = await render();
      expect(await screen.findByText('4 apps')).toBeInTheDocument();
      first.unmount();

      await render(
        createFakeApi({
          listApps: jest.fn(async () => {
            throw responseError(500, 'Error', 'database is down');
          }),
        }),
      );

      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent(
        'Showing the catalog as it was when you last loaded it: refreshing it failed',
      );
      expect(alert).toHaveTextContent('database is down');
      expect(screen.getByTestId('app-card-slack')).toBeInTheDocument();
      expect(screen.getByText('4 apps')).toBeInTheDocument();
    });

    it("never shows another user's catalog", async () => {
      const first = await render();
      expect(await screen.findByText('4 apps')).toBeInTheDocument();
      first.unmount();

      const fresh = deferred<Paginated<CatalogApp>>();
      await renderInPlugin(<AppsPage />, {
        api: createFakeApi({ listApps: jest.fn(() => fresh.promise) }),
        route: '/apps',
        userEntityRef: 'user:default/sam.manager',
      });

      expect(await screen.findByRole('progressbar')).toBeInTheDocument();
      expect(screen.queryByTestId('app-card-slack')).not.toBeInTheDocument();
      fresh.resolve({ items: [apps[0]] });
      expect(await screen.findByText('1 apps')).toBeInTheDocument();
    });
  });

  describe('search box', () => {
    const SearchProbe = ({ history }: { history: string[] }) => {
      const { search } = useLocation();
      useEffect(() => {
        history.push(search);
      }, [history, search]);
      return null;
    };

    it('filters at once and writes the URL once typing pauses', async () => {
      const history: string[] = [];
      await renderInPlugin(<AppsPage />, {
        api: createFakeApi(),
        sidebar: <SearchProbe history={history} />,
      });
      await screen.findByText('Slack');
      const box = screen.getByLabelText('Search apps');

      fireEvent.change(box, { target: { value: 'f' } });
      fireEvent.change(box, { target: { value: 'fi' } });
      fireEvent.change(box, { target: { value: 'fig' } });

      // Results follow right away; the URL has not been touched yet.
      expect(box).toHaveValue('fig');
      expect(screen.getByText('Figma')).toBeInTheDocument();
      expect(screen.queryByText('Slack')).not.toBeInTheDocument();
      expect(history).toEqual(['']);

      await waitFor(() => expect(history).toEqual(['', '?q=fig']));
    });

    it('follows the URL when it changes by itself', async () => {
      await renderInPlugin(<AppsPage />, {
        api: createFakeApi(),
        route: '/apps?q=miro',
        sidebar: <RouterLink to="/apps?q=slack">Search for Slack</RouterLink>,
      });
      expect(await screen.findByText('Miro')).toBeInTheDocument();
      expect(screen.getByLabelText('Search apps')).toHaveValue('miro');

      await userEvent.click(screen.getByText('Search for Slack'));

      expect(screen.getByLabelText('Search apps')).toHaveValue('slack');
      expect(await screen.findByText('Slack')).toBeInTheDocument();
      expect(screen.queryByText('Miro')).not.toBeInTheDocument();
    });

    it('clears the search at once', async () => {
      await render(createFakeApi(), '/apps?q=miro');
      expect(await screen.findByText('Miro')).toBeInTheDocument();

      await userEvent.click(
        screen.getByRole('button', { name: 'Clear search' }),
      );

      expect(screen.getByLabelText('Search apps')).toHaveValue('');
      expect(screen.getByText('Slack')).toBeInTheDocument();
    });
  });
});
