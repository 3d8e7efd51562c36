import { act, screen, waitFor } from '@testing-library/react';
import {
  createFakeApi,
  fakePermissionApi,
  renderInPlugin,
} from '../../../__testUtils__';
import { AppAccessRouter } from '../../Router';
import { AppAccessAdminRouter } from './AdminPage';

// Permission answers are cached per permission for the whole test file
// (SWR), so everything here is refused.
const ADMIN_PERMISSIONS = [
  'app-access.settings.manage',
  'app-access.app.manage',
  'app-access.request.read.all',
  'app-access.request.manage',
  'app-access.audit.read',
];

const asked = (api: ReturnType<typeof fakePermissionApi>) =>
  api.authorize.mock.calls.map(([request]) => request.permission.name);

/** Lets the permission answers arrive and the page settle. */
const settle = () =>
  act(async () => {
    await new Promise(r => setTimeout(r, 50));
  });

describe('admin addresses for non-admins', () => {
  it('shows only the refusal, without the admin menu', async () => {
    const permissionApi = fakePermissionApi(false);
    const api = createFakeApi();
    await renderInPlugin(<AppAccessRouter />, {
      api,
      path: '/apps/*',
      route: '/apps/admin/settings',
      permissionApi,
    });

    expect(
      await screen.findByText(
        'You are not allowed to change App Access settings',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(asked(permissionApi)).toEqual(
        expect.arrayContaining(ADMIN_PERMISSIONS),
      ),
    );
    await settle();

    expect(screen.getAllByTestId('app-access-not-allowed')).toHaveLength(1);
    expect(
      screen.queryByRole('tablist', { name: 'App Access administration' }),
    ).not.toBeInTheDocument();
    for (const name of [
      'Settings',
      'Campaigns',
      'Audit trail',
      'Test your configuration',
    ]) {
      expect(screen.queryByRole('tab', { name })).not.toBeInTheDocument();
    }
    expect(
      screen.queryByRole('tab', { name: 'Admin' }),
    ).not.toBeInTheDocument();
    expect(api.getSettings).not.toHaveBeenCalled();
  });

  it('sends /admin to the settings refusal', async () => {
    await renderInPlugin(<AppAccessRouter />, {
      api: createFakeApi(),
      path: '/apps/*',
      route: '/apps/admin',
      permissionApi: fakePermissionApi(false),
    });

    expect(
      await screen.findByText(
        'You are not allowed to change App Access settings',
      ),
    ).toBeInTheDocument();
    await settle();
    expect(
      screen.queryByRole('tablist', { name: 'App Access administration' }),
    ).not.toBeInTheDocument();
  });

  it('shows no admin menu when the app has no permission API', async () => {
    const api = createFakeApi();
    await renderInPlugin(<AppAccessAdminRouter />, {
      api,
      path: '/apps/admin/*',
      route: '/apps/admin/audit',
    });

    expect(
      await screen.findByText(
        'You are not allowed to read the App Access audit trail',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('tablist', { name: 'App Access administration' }),
    ).not.toBeInTheDocument();
    expect(api.listAudit).not.toHaveBeenCalled();
  });
});
