import { screen, within } from '@testing-library/react';
import {
  createFakeApi,
  fakePermissionApi,
  renderInPlugin,
} from '../../../__testUtils__';
import { AppAccessRouter } from '../../Router';

// Permission answers are cached per permission for the whole test file
// (SWR): here the user may read the audit trail, and nothing else.
const auditorOnly = () =>
  fakePermissionApi(name => name === 'app-access.audit.read');

describe('admin menu for someone with some admin permissions', () => {
  it('offers only the pages they may open, and starts at the first', async () => {
    await renderInPlugin(<AppAccessRouter />, {
      api: createFakeApi(),
      path: '/apps/*',
      route: '/apps/admin',
      permissionApi: auditorOnly(),
    });

    const menu = await screen.findByRole('tablist', {
      name: 'App Access administration',
    });
    expect(
      within(menu)
        .getAllByRole('tab')
        .map(t => t.textContent),
    ).toEqual(['Audit trail', 'Test your configuration']);
    expect(
      await screen.findByRole('button', { name: 'Export CSV' }),
    ).toBeInTheDocument();
    expect(
      within(menu).getByRole('tab', { name: 'Audit trail' }),
    ).toHaveAttribute('aria-selected', 'true');
  });

  it('keeps their menu above a page they may not open', async () => {
    await renderInPlugin(<AppAccessRouter />, {
      api: createFakeApi(),
      path: '/apps/*',
      route: '/apps/admin/settings',
      permissionApi: auditorOnly(),
    });

    expect(
      await screen.findByText(
        'You are not allowed to change App Access settings',
      ),
    ).toBeInTheDocument();
    const menu = await screen.findByRole('tablist', {
      name: 'App Access administration',
    });
    expect(
      within(menu).queryByRole('tab', { name: 'Settings' }),
    ).not.toBeInTheDocument();
    expect(
      within(menu).getByRole('tab', { name: 'Audit trail' }),
    ).toHaveAttribute('aria-selected', 'false');
  });
});
