import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { ReactElement } from 'react';
import { Route, Routes, useLocation } from 'react-router-dom';
import {
  ApiRef,
  configApiRef,
  identityApiRef,
} from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  CatalogApi,
  catalogApiRef,
  EntityPresentationApi,
  entityPresentationApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import { AppAccessApi, appAccessApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { JANE } from './catalogApps';
import { fakeEntityPresentationApi } from './entityPresentation';

/** Stands in for every other page, so navigation can be asserted. */
const LocationProbe = () => {
  const { pathname } = useLocation();
  return <div>Now at {pathname}</div>;
};

export type RenderOptions = {
  api: AppAccessApi;
  /** Route pattern the element is mounted at. */
  path?: string;
  /** The URL to start at. */
  route?: string;
  userEntityRef?: string;
  /** Permission decisions; without it the app has no permission API. */
  permissionApi?: PermissionApi;
  catalogApi?: CatalogApi;
  /** app-config for the test, e.g. `{ organization: { name: 'Acme' } }`. */
  config?: NonNullable<Parameters<typeof mockApis.config>[0]>['data'];
  /** Elements rendered next to the routes, e.g. a sidebar item. */
  sidebar?: ReactElement;
  /** Display names the catalog knows, by entity ref; without it refs are shown short. */
  displayNames?: Record<string, string>;
  /** The entity presentation API, e.g. batchingEntityPresentationApi(catalogApi); wins over displayNames. */
  entityPresentationApi?: EntityPresentationApi;
  /** Backstage signals (live updates); without it none arrive. */
  signalApi?: SignalApi;
};

/** Renders an element the way the plugin's router would mount it. */
export function renderInPlugin(element: ReactElement, options: RenderOptions) {
  const {
    api,
    path = '/apps',
    route = '/apps',
    userEntityRef = JANE,
    permissionApi,
    catalogApi,
    config,
    sidebar,
    displayNames,
    entityPresentationApi,
    signalApi,
  } = options;
  const apis: Array<readonly [ApiRef<any>, any]> = [
    [appAccessApiRef, api],
    [identityApiRef, mockApis.identity({ userEntityRef })],
  ];
  if (permissionApi) {
    apis.push([permissionApiRef, permissionApi]);
  }
  if (catalogApi) {
    apis.push([catalogApiRef, catalogApi]);
  }
  if (signalApi) {
    apis.push([signalApiRef, signalApi]);
  }
  if (config) {
    apis.push([configApiRef, mockApis.config({ data: config })]);
  }
  if (entityPresentationApi) {
    apis.push([entityPresentationApiRef, entityPresentationApi]);
  } else if (displayNames) {
    apis.push([
      entityPresentationApiRef,
      fakeEntityPresentationApi(displayNames),
    ]);
  }
  return renderInTestApp(
    <TestApiProvider apis={apis as any}>
      {sidebar}
      <Routes>
        <Route path={path} element={element} />
        <Route path="*" element={<LocationProbe />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: {
        '/apps': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}
