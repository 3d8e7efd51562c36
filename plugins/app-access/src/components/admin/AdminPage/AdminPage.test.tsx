import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { appAccessApiRef } from '../../../api';
import { AppAccessAdminPage } from '../../../plugin';
import { adminRootRouteRef, rootRouteRef } from '../../../routes';
import { createFakeApi, renderInPlugin } from '../../../__testUtils__';
import { AppAccessRouter } from '../../Router';
import appAccessPlugin, { appAccessAdminPage } from '../../../extensions';

jest.setTimeout(60_000);

describe('admin navigation', () => {
  it('shows admins an Admin tab with the five admin pages', async () => {
    const api = createFakeApi();
    await renderInPlugin(<AppAccessRouter />, {
      api,
      path: '/apps/*',
      route: '/apps',
      permissionApi: mockApis.permission(),
    });

    await userEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
    expect(
      await screen.findByRole('form', { name: 'Default settings' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Admin' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    for (const name of [
      'Settings',
      'Apps',
      'Usage',
      'Campaigns',
      'Requests',
      'Audit trail',
      'Test your configuration',
    ]) {
      expect(screen.getByRole('tab', { name })).toBeInTheDocument();
    }
    expect(screen.getByRole('tab', { name: 'Audit trail' })).toHaveAttribute(
      'href',
      '/apps/admin/audit',
    );

    await userEvent.click(
      screen.getByRole('tab', { name: 'Test your configuration' }),
    );
    expect(
      await screen.findByText('Test your configuration', { selector: 'h2' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'Test your configuration' }),
    ).toHaveAttribute('aria-selected', 'true');
  });

  it('opens an app’s editor page from the apps list', async () => {
    await renderInPlugin(<AppAccessRouter />, {
      api: createFakeApi(),
      path: '/apps/*',
      route: '/apps/admin/apps',
      permissionApi: mockApis.permission(),
    });

    await userEvent.click(await screen.findByRole('link', { name: 'Slack' }));
    expect(
      await screen.findByRole('heading', { name: 'Slack', level: 1 }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/^Id/)).toHaveValue('slack');
    expect(
      screen.getByRole('button', { name: 'Remove from catalog' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open app page' })).toHaveAttribute(
      'href',
      '/apps/slack',
    );
  });

  it('mounts on its own as AppAccessAdminPage', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [appAccessApiRef, createFakeApi()],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route path="/apps-admin/*" element={<AppAccessAdminPage />} />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: ['/apps-admin/audit'],
        mountedRoutes: {
          '/apps-admin': adminRootRouteRef,
          '/apps': rootRouteRef,
        },
      },
    );

    expect(
      await screen.findByText(
        'App Access administration',
        {},
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('button', { name: 'Export CSV' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Settings' })).toHaveAttribute(
      'href',
      '/apps-admin/settings',
    );
  });

  it('is in the new frontend system too, disabled unless asked for', () => {
    expect(appAccessAdminPage).toBeDefined();
    expect(appAccessPlugin.id).toBe('app-access');
    expect(String(appAccessAdminPage)).toContain('kind=page,name=admin');
  });
});
