import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { appAccessApiRef, AppAccessClient } from './api';
import {
  approvalsRouteRef,
  appRouteRef,
  myRequestsRouteRef,
  requestRouteRef,
  rootRouteRef,
} from './routes';

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
    app: appRouteRef,
    myRequests: myRequestsRouteRef,
    request: requestRouteRef,
    approvals: approvalsRouteRef,
  },
});

/**
 * The App Access page: the company's app catalog, app pages, the user's
 * requests and the approvals inbox, on sub-routes of where it is mounted.
 */
export const AppAccessPage = appAccessPlugin.provide(
  createRoutableExtension({
    name: 'AppAccessPage',
    component: () => import('./components/Router').then(m => m.AppAccessRouter),
    mountPoint: rootRouteRef,
  }),
);

/** For an entity page: the App Access apps owned by the entity. */
export const EntityAppAccessCard = appAccessPlugin.provide(
  createComponentExtension({
    name: 'EntityAppAccessCard',
    component: {
      lazy: () =>
        import('./components/EntityAppAccessCard').then(
          m => m.EntityAppAccessCard,
        ),
    },
  }),
);
