import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import * as index from './index';
import { appAccessApiRef } from './api';
import { rootRouteRef } from './routes';
import { createFakeApi } from './__testUtils__';

describe('app-access plugin', () => {
  it('exports what a portal mounts, and nothing else', () => {
    expect(index.appAccessPlugin.getId()).toBe('app-access');
    expect(index.appAccessPlugin.routes.root).toBe(rootRouteRef);
    expect(Object.keys(index).sort()).toEqual([
      'AppAccessAdminPage',
      'AppAccessApprovalsSidebarItem',
      'AppAccessMyAccessSidebarItem',
      'AppAccessPage',
      'AppAccessSearchResultListItem',
      'EntityAppAccessCard',
      'EntityPersonAccessCard',
      'appAccessPlugin',
    ]);
  });

  it('renders the page extension with its tabs and the catalog', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[appAccessApiRef, createFakeApi()]]}>
        <Routes>
          <Route path="/apps/*" element={<index.AppAccessPage />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/apps'], mountedRoutes: { '/apps': rootRouteRef } },
    );

    // Lazy-loaded: the first import compiles the whole plugin.
    expect(
      await screen.findByText('App catalog', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Approvals' })).toBeInTheDocument();
    expect(await screen.findByText('Figma')).toBeInTheDocument();
  }, 30_000);

  it('renders the entity card extension', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[appAccessApiRef, createFakeApi()]]}>
        <EntityProvider
          entity={{
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Group',
            metadata: { name: 'design', namespace: 'default' },
          }}
        >
          <index.EntityAppAccessCard />
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/apps': rootRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );

    expect(
      await screen.findByRole('link', { name: 'Figma' }, { timeout: 15_000 }),
    ).toHaveAttribute('href', '/apps/figma');
  });
});
