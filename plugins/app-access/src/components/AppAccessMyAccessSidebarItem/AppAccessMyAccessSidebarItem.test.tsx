import { fireEvent, screen } from '@testing-library/react';
import { createFakeApi, renderInPlugin } from '../../__testUtils__';
import { MyAccessPage } from '../MyAccessPage';
import { AppAccessMyAccessSidebarItem } from './AppAccessMyAccessSidebarItem';

describe('AppAccessMyAccessSidebarItem', () => {
  it('links to My access, which lists what the user holds', async () => {
    const api = createFakeApi();
    await renderInPlugin(<MyAccessPage />, {
      api,
      path: '/apps/my-access',
      route: '/',
      sidebar: <AppAccessMyAccessSidebarItem />,
    });
    const link = screen.getByRole('link', { name: 'My access' });
    expect(link).toHaveAttribute('href', '/apps/my-access');
    fireEvent.click(link);
    expect(await screen.findByText('PagerDuty')).toBeInTheDocument();
  });

  it('takes another mount, label and icon', async () => {
    await renderInPlugin(
      <AppAccessMyAccessSidebarItem to="store/my-access" text="What I hold" />,
      { api: createFakeApi(), path: '/', route: '/' },
    );
    expect(screen.getByRole('link', { name: 'What I hold' })).toHaveAttribute(
      'href',
      '/store/my-access',
    );
  });
});
