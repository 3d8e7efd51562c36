import { screen } from '@testing-library/react';
import { createFakeApi, renderInPlugin } from '../../__testUtils__/fakeApi';
import { AppAccessApprovalsSidebarItem } from './AppAccessApprovalsSidebarItem';

describe('AppAccessApprovalsSidebarItem', () => {
  it('links to the inbox with the number of waiting approvals', async () => {
    const api = createFakeApi();
    await renderInPlugin(<AppAccessApprovalsSidebarItem />, {
      api,
      path: '/',
      route: '/',
    });

    const link = await screen.findByRole('link', { name: /Approvals \(2\)/ });
    expect(link).toHaveAttribute('href', '/apps/approvals');
    expect(screen.getByTestId('app-access-approvals-badge')).toHaveTextContent(
      '2',
    );
    expect(api.listApprovals).toHaveBeenCalledWith({ limit: 100 });
  });

  it('shows no count when nothing is waiting', async () => {
    await renderInPlugin(<AppAccessApprovalsSidebarItem to="/approvals" />, {
      api: createFakeApi({
        listApprovals: jest.fn(async () => ({ items: [] })),
      }),
      path: '/',
      route: '/',
    });

    const link = await screen.findByRole('link', { name: 'Approvals' });
    expect(link).toHaveAttribute('href', '/approvals');
    expect(
      screen.getByTestId('app-access-approvals-badge'),
    ).not.toHaveTextContent(/\d/);
  });
});
