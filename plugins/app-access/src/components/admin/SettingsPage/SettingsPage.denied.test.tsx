import { screen } from '@testing-library/react';
import {
  createFakeApi,
  fakePermissionApi,
  renderInPlugin,
} from '../../../__testUtils__';
import { AppAccessRouter } from '../../Router';
import { AuditPage } from '../AuditPage';
import { SettingsPage } from './SettingsPage';

// Permission answers are cached per permission for the whole test file
// (SWR), so everything refused lives in this file.
describe('admin pages for non-admins', () => {
  it('refuses the settings page clearly, without loading settings', async () => {
    const api = createFakeApi();
    await renderInPlugin(<SettingsPage />, {
      api,
      path: '/apps/admin/settings',
      route: '/apps/admin/settings',
      permissionApi: fakePermissionApi(false),
    });

    expect(
      await screen.findByText(
        'You are not allowed to change App Access settings',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('app-access.settings.manage')).toBeInTheDocument();
    expect(api.getSettings).not.toHaveBeenCalled();
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
  });

  it('refuses when the app has no permission API at all', async () => {
    const api = createFakeApi();
    await renderInPlugin(<AuditPage />, {
      api,
      path: '/apps/admin/audit',
      route: '/apps/admin/audit',
    });
    expect(
      await screen.findByText(
        'You are not allowed to read the App Access audit trail',
      ),
    ).toBeInTheDocument();
    expect(api.listAudit).not.toHaveBeenCalled();
  });

  it('shows no Admin tab to non-admins', async () => {
    await renderInPlugin(<AppAccessRouter />, {
      api: createFakeApi(),
      path: '/apps/*',
      route: '/apps',
      permissionApi: fakePermissionApi(false),
    });
    expect(await screen.findByText('App catalog')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Approvals' })).toBeInTheDocument();
    expect(
      screen.queryByRole('tab', { name: 'Admin' }),
    ).not.toBeInTheDocument();
  });
});
