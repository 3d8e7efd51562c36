import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createSearchResultListItemExtension } from '@backstage/plugin-search-react';
import { appAccessApiRef, AppAccessClient } from './api';
import { loadAdminPage } from './components/admin/loadAdminPage';
import type { AppAccessSearchResultListItemProps } from './components/AppAccessSearchResultListItem';
import {
  adminRootRouteRef,
  adminRouteRef,
  approvalsRouteRef,
  appRouteRef,
  myRequestsRouteRef,
  requestRouteRef,
  rootRouteRef,
} from './routes';

/** App Access for the legacy frontend system: its API and route refs. */
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
    admin: adminRouteRef,
    adminRoot: adminRootRouteRef,
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

/**
 * The App Access admin pages (settings, apps, requests, audit trail and the
 * configuration checklist) as a page of their own. The App Access page
 * already shows them to admins under its "Admin" tab (`/apps/admin`); mount
 * this only to have them somewhere else too. Each page checks its permission.
 */
export const AppAccessAdminPage = appAccessPlugin.provide(
  createRoutableExtension({
    name: 'AppAccessAdminPage',
    component: () => loadAdminPage().then(m => m.AppAccessAdminStandalonePage),
    mountPoint: adminRootRouteRef,
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

/**
 * For a User page: the person's current access and open requests, shown to
 * the person and their manager only (App Access answers 403 to anyone else).
 */
export const EntityPersonAccessCard = appAccessPlugin.provide(
  createComponentExtension({
    name: 'EntityPersonAccessCard',
    component: {
      lazy: () =>
        import('./components/EntityPersonAccessCard').then(
          m => m.EntityPersonAccessCard,
        ),
    },
  }),
);

/**
 * For the search page's results: an App Access app (type `app-access`, from
 * `@app-access/plugin-search-backend-module-app-access`) with its vendor,
 * category, tiers and a "Request access" link to its page.
 */
export const AppAccessSearchResultListItem: (
  props: AppAccessSearchResultListItemProps,
) => JSX.Element | null = appAccessPlugin.provide(
  createSearchResultListItemExtension({
    name: 'AppAccessSearchResultListItem',
    component: () =>
      import('./components/AppAccessSearchResultListItem').then(
        m => m.AppAccessSearchResultListItem,
      ),
    predicate: result => result.type === 'app-access',
  }),
);
