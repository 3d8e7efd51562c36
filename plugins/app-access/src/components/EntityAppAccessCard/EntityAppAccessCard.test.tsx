import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { apps, createFakeApi, renderInPlugin } from '../../__testUtils__';
import { EntityAppAccessCard } from './EntityAppAccessCard';

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

const render = (entity: Entity, api = createFakeApi()) =>
  renderInPlugin(
    <EntityProvider entity={entity}>
      <EntityAppAccessCard />
    </EntityProvider>,
    { api, path: '/catalog/*', route: '/catalog/default/group/x' },
  );

describe('EntityAppAccessCard', () => {
  it('lists the apps the entity owns', async () => {
    const api = createFakeApi({
      listApps: jest.fn(async () => ({
        items: [
          ...apps,
          // Owners written without kind or namespace still count.
          { ...apps[2], id: 'jira', name: 'Jira', owner: 'platform' },
        ],
      })),
    });
    await render(group('platform'), api);

    expect(
      await screen.findByRole('link', { name: 'GitHub Enterprise' }),
    ).toHaveAttribute('href', '/apps/github');
    expect(screen.getByRole('link', { name: 'Jira' })).toBeInTheDocument();
    expect(screen.queryByText('Slack')).not.toBeInTheDocument();
    expect(screen.getAllByText('Engineering · 1 tier')).toHaveLength(2);
  });

  it('says when the entity owns no apps', async () => {
    await render(group('finance'));

    expect(
      await screen.findByText(/doesn't own any apps in the/),
    ).toBeInTheDocument();
  });
});
