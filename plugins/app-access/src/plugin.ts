import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { appAccessApiRef, AppAccessClient } from './api';
import { rootRouteRef } from './routes';

export const appAccessPlugin = createPlugin({
  id: 'app-access',
  apis: [
    createApiFactory({
      api: appAccessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AppAccessClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/** The App Access page: the company's app catalog and the user's requests. */
export const AppAccessPage = appAccessPlugin.provide(
  createRoutableExtension({
    name: 'AppAccessPage',
    component: () => import('./components/AppsPage').then(m => m.AppsPage),
    mountPoint: rootRouteRef,
  }),
);
