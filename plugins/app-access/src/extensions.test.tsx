import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { SearchResultListItemBlueprint } from '@backstage/plugin-search-react/alpha';
import appAccessPlugin, {
  appAccessApi,
  appAccessEntityCard,
  appAccessPage,
  appAccessPersonAccessCard,
  appAccessSearchResultListItem,
} from './extensions';
import * as alpha from './alpha';
import { appAccessApiRef } from './api';
import { rootRouteRef } from './routes';
import { createFakeApi } from './__testUtils__';

describe('app-access (new frontend system)', () => {
  it('publishes only the plugin from /alpha', () => {
    expect(Object.keys(alpha)).toEqual(['default']);
    expect(alpha.default).toBe(appAccessPlugin);
  });

  it('is a frontend plugin with the API, the page and the entity card', () => {
    expect(appAccessPlugin.id).toBe('app-access');
    expect(appAccessApi).toBeDefined();
    expect(appAccessPage).toBeDefined();
    expect(appAccessEntityCard).toBeDefined();
  });

  it('renders the page: tabs, catalog and links to app pages', async () => {
    const tester = createExtensionTester(appAccessPage);

    renderInTestApp(tester.reactElement(), {
      mountPath: '/apps',
      initialRouteEntries: ['/apps'],
      mountedRoutes: { '/apps': convertLegacyRouteRef(rootRouteRef) },
      apis: [[appAccessApiRef, createFakeApi()]],
    });

    // The page is lazy-loaded; the first import compiles the whole plugin.
    expect(
      await screen.findByText('App catalog', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'My requests' }),
    ).toBeInTheDocument();
    expect(await screen.findByTestId('app-card-figma')).toHaveAttribute(
      'href',
      '/apps/figma',
    );
  }, 30_000);

  it('renders the app page on a sub-route', async () => {
    const tester = createExtensionTester(appAccessPage);

    renderInTestApp(tester.reactElement(), {
      mountPath: '/apps',
      initialRouteEntries: ['/apps/github'],
      mountedRoutes: {
        '/apps': convertLegacyRouteRef(rootRouteRef),
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
      apis: [[appAccessApiRef, createFakeApi()]],
    });

    expect(
      await screen.findByRole('heading', { name: 'GitHub Enterprise' }),
    ).toBeInTheDocument();
  });

  it('renders the entity card', async () => {
    const tester = createExtensionTester(appAccessEntityCard);

    renderInTestApp(
      <EntityProvider
        entity={{
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: 'platform', namespace: 'default' },
        }}
      >
        {tester.reactElement()}
      </EntityProvider>,
      {
        mountedRoutes: { '/apps': convertLegacyRouteRef(rootRouteRef) },
        apis: [[appAccessApiRef, createFakeApi()]],
      },
    );

    expect(
      await screen.findByRole('link', { name: 'GitHub Enterprise' }),
    ).toHaveAttribute('href', '/apps/github');
  });

  it('renders search results of type app-access only', async () => {
    const item = createExtensionTester(appAccessSearchResultListItem).get(
      SearchResultListItemBlueprint.dataRefs.item,
    );
    const result = (type: string) => ({
      type,
      document: { title: 'Figma', text: '', location: '/apps/figma' },
    });
    expect(item.predicate?.(result('app-access'))).toBe(true);
    expect(item.predicate?.(result('software-catalog'))).toBe(false);

    const Item = item.component;
    renderInTestApp(<Item result={result('app-access').document} />);
    expect(
      await screen.findByRole('link', { name: 'Request access to Figma' }),
    ).toHaveAttribute('href', '/apps/figma');
  });

  it('renders the person access card on user pages', async () => {
    const tester = createExtensionTester(appAccessPersonAccessCard);

    renderInTestApp(
      <EntityProvider
        entity={{
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'jane.doe', namespace: 'default' },
        }}
      >
        {tester.reactElement()}
      </EntityProvider>,
      {
        mountedRoutes: { '/apps': convertLegacyRouteRef(rootRouteRef) },
        apis: [[appAccessApiRef, createFakeApi()]],
      },
    );

    expect(
      await screen.findByRole('list', { name: 'Has access to' }),
    ).toBeInTheDocument();
  });
});
