import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createFakeApi, renderInPlugin } from '../../__testUtils__';
import { AppAccessRouter } from './Router';

const render = (route: string, api = createFakeApi()) =>
  renderInPlugin(<AppAccessRouter />, { api, path: '/apps/*', route });

describe('AppAccessRouter', () => {
  it('shows the catalog at its root', async () => {
    await render('/apps');

    expect(await screen.findByText('App catalog')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Catalog' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('shows an app page under the app id', async () => {
    await render('/apps/github');

    expect(
      await screen.findByRole('heading', { name: 'GitHub Enterprise' }),
    ).toBeInTheDocument();
  });

  it('routes to my requests, a request and approvals', async () => {
    await render('/apps/requests/req-1');

    expect(
      await screen.findByRole('heading', { name: 'Figma — Editor' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'My requests' })).toHaveAttribute(
      'aria-selected',
      'true',
    );

    await userEvent.click(screen.getByRole('tab', { name: 'Approvals' }));
    expect(
      await screen.findByText('Waiting for your decision (2)'),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: 'My requests' }));
    expect(
      await screen.findByRole('link', { name: 'New app: Linear' }),
    ).toBeInTheDocument();
  });
});
