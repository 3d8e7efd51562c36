import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { createFakeApi, renderInPlugin } from '../../__testUtils__';
import { EntityPersonAccessCard } from './EntityPersonAccessCard';

const user = (name: string, displayName: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { profile: { displayName } },
});

const render = (entity: Entity, api = createFakeApi()) =>
  renderInPlugin(
    <EntityProvider entity={entity}>
      <EntityPersonAccessCard />
    </EntityProvider>,
    { api, path: '/catalog/*', route: '/catalog/default/user/x' },
  );

describe('EntityPersonAccessCard', () => {
  it("lists the person's access and open requests, each linking to its request", async () => {
    const api = createFakeApi();
    await render(user('jane.doe', 'Jane Doe'), api);

    const access = await screen.findByRole('list', { name: 'Has access to' });
    const open = screen.getByRole('list', { name: 'Open requests' });
    expect(api.getPersonAccess).toHaveBeenCalledWith('user:default/jane.doe');
    const [fulfilled] = (await api.getPersonAccess('user:default/jane.doe'))
      .access;
    expect(
      within(access).getByRole('link', {
        name: `${fulfilled.appName} · ${fulfilled.tierName}`,
      }),
    ).toHaveAttribute('href', `/apps/requests/${fulfilled.id}`);
    expect(within(access).getByText('Fulfilled')).toBeInTheDocument();
    expect(within(open).getAllByRole('link').length).toBeGreaterThan(0);
  });

  it('tells anyone but the person and their manager that it is not theirs to see', async () => {
    await render(user('kim.lee', 'Kim Lee'));

    expect(
      await screen.findByText(
        "Only Kim Lee and their manager can see Kim Lee's app access.",
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });
});
