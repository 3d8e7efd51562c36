import { screen, within } from '@testing-library/react';
import {
  createFakeApi,
  renderInPlugin,
  responseError,
} from '../../__testUtils__';
import { MyRequestsPage } from './MyRequestsPage';

const render = (api = createFakeApi()) =>
  renderInPlugin(<MyRequestsPage />, {
    api,
    path: '/apps/requests',
    route: '/apps/requests',
  });

describe('MyRequestsPage', () => {
  it('lists the user’s requests with their status', async () => {
    const api = createFakeApi();
    await render(api);

    const figma = await screen.findByRole('link', { name: 'Figma' });
    expect(figma).toHaveAttribute('href', '/apps/requests/req-1');
    const row = figma.closest('tr')!;
    expect(within(row).getByText('Editor')).toBeInTheDocument();
    expect(
      within(row).getByTestId('status-pending_approval'),
    ).toHaveTextContent('Pending approval');
    expect(screen.getByTestId('status-fulfilled')).toHaveTextContent(
      'Fulfilled',
    );
    expect(screen.getByTestId('status-failed')).toHaveTextContent('Failed');
    expect(
      screen.getByRole('link', { name: 'New app: Linear' }),
    ).toHaveAttribute('href', '/apps/requests/req-intake');
    expect(api.listMyRequests).toHaveBeenCalledWith({
      limit: 100,
      cursor: undefined,
    });
  });

  it('shows an empty state without requests', async () => {
    await render(
      createFakeApi({ listMyRequests: jest.fn(async () => ({ items: [] })) }),
    );

    expect(
      await screen.findByText("You haven't requested any apps yet"),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Browse apps' })).toHaveAttribute(
      'href',
      '/apps',
    );
  });

  it('shows an error panel when the list cannot be loaded', async () => {
    await render(
      createFakeApi({
        listMyRequests: jest.fn(async () => {
          throw responseError(503, 'ServiceUnavailableError', 'try later');
        }),
      }),
    );

    expect(
      await screen.findByText(/Request failed with 503/),
    ).toBeInTheDocument();
  });
});
