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
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { SearchResultListItemBlueprint } from '@backstage/plugin-search-react/alpha';
import AppsIcon from '@material-ui/icons/Apps';
import { appAccessApiRef, AppAccessClient } from './api';
import { loadAdminPage } from './components/admin/loadAdminPage';
import {
  adminRootRouteRef as legacyAdminRootRouteRef,
  adminRouteRef as legacyAdminRouteRef,
  approvalsRouteRef as legacyApprovalsRouteRef,
  appRouteRef as legacyAppRouteRef,
  myRequestsRouteRef as legacyMyRequestsRouteRef,
  requestRouteRef as legacyRequestRouteRef,
  rootRouteRef as legacyRootRouteRef,
} from './routes';

// Converting in place makes the legacy refs the components use resolvable
// by the new system's route resolution too.
const rootRouteRef = convertLegacyRouteRef(legacyRootRouteRef);
const appRouteRef = convertLegacyRouteRef(legacyAppRouteRef);
const myRequestsRouteRef = convertLegacyRouteRef(legacyMyRequestsRouteRef);
const requestRouteRef = convertLegacyRouteRef(legacyRequestRouteRef);
const approvalsRouteRef = convertLegacyRouteRef(legacyApprovalsRouteRef);
const adminRouteRef = convertLegacyRouteRef(legacyAdminRouteRef);
const adminRootRouteRef = convertLegacyRouteRef(legacyAdminRootRouteRef);

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
    title: 'Apps',
    icon: <AppsIcon />,
    routeRef: rootRouteRef,
    // The router renders its own header with the catalog/requests/approvals tabs.
    noHeader: true,
    loader: () =>
      import('./components/Router').then(m =>
        compatWrapper(<m.AppAccessRouter />),
      ),
  },
});

/**
 * The admin pages on a page of their own, at /apps-admin. Disabled by
 * default: the App Access page already shows them to admins under its
 * "Admin" tab (/apps/admin). Enable it in app-config
 * (`app.extensions: [page:app-access/admin]`) to have them apart too.
 */
export const appAccessAdminPage = PageBlueprint.make({
  name: 'admin',
  disabled: true,
  params: {
    path: '/apps-admin',
    title: 'App Access admin',
    icon: <AppsIcon />,
    routeRef: adminRootRouteRef,
    noHeader: true,
    loader: () =>
      loadAdminPage().then(m =>
        compatWrapper(<m.AppAccessAdminStandalonePage />),
      ),
  },
});

/** On group and user pages: the apps the entity owns. */
export const appAccessEntityCard = EntityCardBlueprint.make({
  name: 'owned-apps',
  params: {
    filter: 'kind:group,user',
    loader: () =>
      import('./components/EntityAppAccessCard').then(m =>
        compatWrapper(<m.EntityAppAccessCard />),
      ),
  },
});

/** On user pages: the person's access and open requests (the person and their manager only). */
export const appAccessPersonAccessCard = EntityCardBlueprint.make({
  name: 'person-access',
  params: {
    filter: 'kind:user',
    loader: () =>
      import('./components/EntityPersonAccessCard').then(m =>
        compatWrapper(<m.EntityPersonAccessCard />),
      ),
  },
});

/** Search results of type `app-access`: an app with a "Request access" link. */
export const appAccessSearchResultListItem = SearchResultListItemBlueprint.make(
  {
    params: {
      predicate: result => result.type === 'app-access',
      icon: <AppsIcon />,
      component: () =>
        import('./components/AppAccessSearchResultListItem').then(
          m => m.AppAccessSearchResultListItem,
        ),
    },
  },
);

/**
 * App Access for Backstage's new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'app-access',
  extensions: [
    appAccessApi,
    appAccessPage,
    appAccessAdminPage,
    appAccessEntityCard,
    appAccessPersonAccessCard,
    appAccessSearchResultListItem,
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
