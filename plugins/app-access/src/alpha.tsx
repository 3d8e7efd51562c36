import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import { appAccessApiRef, AppAccessClient } from './api';
import { rootRouteRef as legacyRootRouteRef } from './routes';

const rootRouteRef = convertLegacyRouteRef(legacyRootRouteRef);

/** The App Access API for the new frontend system. */
export const appAccessApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: appAccessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AppAccessClient({ discoveryApi, fetchApi }),
    }),
});

/** The App Access page for the new frontend system, mounted at /apps. */
export const appAccessPage = PageBlueprint.make({
  params: {
    path: '/apps',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/AppsPage').then(m =>
        compatWrapper(<m.AppsPage />),
      ),
  },
});

/**
 * App Access for Backstage's new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'app-access',
  extensions: [appAccessApi, appAccessPage],
  routes: { root: rootRouteRef },
});
