import { act, screen } from '@testing-library/react';
import {
  createFakeApi,
  fakePermissionApi,
  renderInPlugin,
} from '../../__testUtils__';
import { AppAccessRouter } from './Router';

// A file of its own: permission answers are cached per test file, and this
// needs the first, still loading, answer.
describe('AppAccessRouter for a non-admin on an admin address', () => {
  it('selects a tab that exists when the admin tab goes away', async () => {
    const errors = jest.spyOn(console, 'error');
    try {
      await renderInPlugin(<AppAccessRouter />, {
        api: createFakeApi(),
        path: '/apps/*',
        route: '/apps/admin/settings',
        permissionApi: fakePermissionApi(false),
      });
      expect(
        await screen.findByText(
          'You are not allowed to change App Access settings',
        ),
      ).toBeInTheDocument();
      await act(async () => {
        await new Promise(r => setTimeout(r, 50));
      });

      expect(screen.getAllByRole('tab').map(t => t.textContent)).toEqual([
        'Catalog',
        'My requests',
        'Approvals',
        'My access',
      ]);
      const complaints = errors.mock.calls.filter(args =>
        /Tabs component is invalid/.test(args.map(String).join(' ')),
      );
      expect(complaints).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });
});
