import { ReactElement } from 'react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  CatalogApi,
  catalogApiRef,
  entityPresentationApiRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  batchingEntityPresentationApi,
  createFakeApi,
  renderInPlugin,
  SAM,
} from '../../__testUtils__';
import {
  EntityName,
  EntityNames,
  shortName,
  useEntityDisplayName,
} from './EntityName';

const user = (name: string, displayName?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: displayName ? { profile: { displayName } } : {},
});

/** A catalog with Sam Manager and user-0 … user-99 ("Person 0" …), whose lookups can be counted. */
function catalog() {
  const people = Array.from({ length: 100 }, (_, i) =>
    user(`user-${i}`, `Person ${i}`),
  );
  const catalogApi = catalogApiMock({
    entities: [user('sam.manager', 'Sam Manager'), ...people],
  });
  jest.spyOn(catalogApi, 'getEntitiesByRefs');
  jest.spyOn(catalogApi, 'getEntityByRef');
  return catalogApi;
}

const render = (element: ReactElement, catalogApi: CatalogApi = catalog()) =>
  renderInPlugin(element, {
    api: createFakeApi(),
    catalogApi,
    entityPresentationApi: batchingEntityPresentationApi(catalogApi),
  });

const Text = ({ entityRef }: { entityRef?: string }) => (
  <span data-testid="text">{useEntityDisplayName(entityRef)}</span>
);

describe('EntityName', () => {
  it('shows the catalog display name, links to the catalog page, and has the full ref on hover', async () => {
    await render(<EntityName entityRef="user:sam.manager" />);

    const link = await screen.findByRole('link', { name: 'Sam Manager' });
    expect(link).toHaveAttribute('href', '/catalog/default/user/sam.manager');
    expect(link.querySelector(`[title="${SAM}"]`)).not.toBeNull();
  });

  it('looks up a whole list of people in one catalog request', async () => {
    const catalogApi = catalog();
    const refs = Array.from(
      { length: 100 },
      (_, i) => `user:default/user-${i}`,
    );
    await render(
      <>
        <EntityNames entityRefs={refs} />
        {/* The same people again, e.g. in a label of the same row. */}
        {refs.map(ref => (
          <Text key={ref} entityRef={ref} />
        ))}
      </>,
      catalogApi,
    );

    expect(
      await screen.findByRole('link', { name: 'Person 99' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Person 0' })).toBeInTheDocument();
    expect(screen.getAllByRole('link')).toHaveLength(100);
    await waitFor(() =>
      expect(screen.getAllByTestId('text')[42]).toHaveTextContent('Person 42'),
    );
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledWith(
      expect.objectContaining({ entityRefs: refs }),
    );
    expect(catalogApi.getEntityByRef).not.toHaveBeenCalled();
  });

  it('shows the short ref for someone the catalog does not know', async () => {
    const catalogApi = catalog();
    await render(
      <>
        <EntityName entityRef="user:default/gone.person" />
        <EntityName entityRef="group:ops/it" />
        <Text entityRef="user:default/gone.person" />
      </>,
      catalogApi,
    );

    await waitFor(() =>
      expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1),
    );
    expect(
      await screen.findByRole('link', { name: 'gone.person' }),
    ).toHaveAttribute('href', '/catalog/default/user/gone.person');
    expect(screen.getByRole('link', { name: 'ops/it' })).toHaveAttribute(
      'href',
      '/catalog/ops/group/it',
    );
    expect(screen.getByTestId('text')).toHaveTextContent('gone.person');
  });

  it('shows the short ref when the catalog lookup fails', async () => {
    const catalogApi = catalogApiMock.mock({
      getEntitiesByRefs: jest.fn(async () => {
        throw new Error('catalog is down');
      }),
    });
    await render(
      <>
        <EntityName entityRef={SAM} />
        <Text entityRef={SAM} />
      </>,
      catalogApi,
    );

    await waitFor(() =>
      expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1),
    );
    expect(
      screen.getByRole('link', { name: 'sam.manager' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('text')).toHaveTextContent('sam.manager');
  });

  it('shows the short ref in an app without entity presentation', async () => {
    await renderInPlugin(
      <>
        <EntityName entityRef={SAM} />
        <Text entityRef={SAM} />
      </>,
      { api: createFakeApi() },
    );

    expect(
      screen.getByRole('link', { name: 'sam.manager' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('text')).toHaveTextContent('sam.manager');
  });

  it('uses a name it is given without asking the catalog', async () => {
    const catalogApi = catalog();
    await render(
      <EntityName entityRef={SAM} displayName="Sam M." target="_blank" />,
      catalogApi,
    );

    const link = screen.getByRole('link', { name: 'Sam M.' });
    expect(link).toHaveAttribute('href', '/catalog/default/user/sam.manager');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link.parentElement).toHaveAttribute('title', SAM);
    expect(catalogApi.getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('shows the system and anything that is not a person or group as text', async () => {
    const catalogApi = catalog();
    await render(
      <>
        <span data-testid="system">
          <EntityName entityRef="plugin:app-access" />
        </span>
        <span data-testid="bare">
          <EntityName entityRef="sam.manager" />
        </span>
        <span data-testid="broken">
          <EntityName entityRef="user:" />
        </span>
        <Text entityRef="user:default/" />
        <Text />
      </>,
      catalogApi,
    );

    expect(screen.getByTestId('system')).toHaveTextContent('App Access');
    expect(screen.getByTestId('bare')).toHaveTextContent('sam.manager');
    expect(screen.getByTestId('broken')).toHaveTextContent('user:');
    const texts = screen.getAllByTestId('text');
    expect(texts[0]).toHaveTextContent('user:default/');
    expect(texts[1]).toBeEmptyDOMElement();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(catalogApi.getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('shows the name unlinked in an app without the catalog plugin', async () => {
    const catalogApi = catalog();
    // No catalog entity route: EntityRefLink cannot link.
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [entityPresentationApiRef, batchingEntityPresentationApi(catalogApi)],
        ]}
      >
        <span data-testid="name">
          <EntityName entityRef={SAM} />
        </span>
        <span data-testid="given">
          <EntityName entityRef={SAM} displayName="Sam M." />
        </span>
      </TestApiProvider>,
    );

    expect(await screen.findByText('Sam Manager')).toHaveAttribute(
      'title',
      SAM,
    );
    expect(screen.getByTestId('given')).toHaveTextContent(/^Sam M\.$/);
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('opens the person, not a clickable row around them', async () => {
    const onRowClick = jest.fn();
    await render(
      <div role="presentation" onClick={onRowClick}>
        <EntityName entityRef={SAM} />
      </div>,
    );

    await userEvent.click(
      await screen.findByRole('link', { name: 'Sam Manager' }),
    );
    expect(onRowClick).not.toHaveBeenCalled();
    expect(
      await screen.findByText('Now at /catalog/default/user/sam.manager'),
    ).toBeInTheDocument();
  });
});

describe('shortName', () => {
  it('shortens people and groups, names the system, keeps anything else', () => {
    expect(shortName('user:default/jane.doe')).toBe('jane.doe');
    expect(shortName('user:jane.doe')).toBe('jane.doe');
    expect(shortName('group:ops/it')).toBe('ops/it');
    expect(shortName('plugin:app-access')).toBe('App Access');
    expect(shortName('jane.doe')).toBe('jane.doe');
    expect(shortName('user:')).toBe('user:');
    expect(shortName(undefined)).toBe('');
  });
});
