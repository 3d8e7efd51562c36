import { screen } from '@testing-library/react';
import {
  createFakeApi,
  fakePermissionApi,
  renderInPlugin,
} from '../../../__testUtils__';
import { UsagePage } from './UsagePage';

jest.setTimeout(60_000);

describe('usage page for non-admins', () => {
  it('refuses clearly, without loading usage', async () => {
    const api = createFakeApi();
    await renderInPlugin(<UsagePage />, {
      api,
      path: '/apps/admin/usage',
      route: '/apps/admin/usage',
      permissionApi: fakePermissionApi(false),
    });
    expect(
      await screen.findByText('You are not allowed to see App Access usage'),
    ).toBeInTheDocument();
    expect(screen.getByText('app-access.app.manage')).toBeInTheDocument();
    expect(api.getUsageInsight).not.toHaveBeenCalled();
  });
});
