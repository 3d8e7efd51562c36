import { lazy, Suspense } from 'react';
import { Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Header, HeaderTabs, Page, Progress } from '@backstage/core-components';
import { useApiHolder, useRouteRef } from '@backstage/core-plugin-api';
import {
  permissionApiRef,
  usePermission,
} from '@backstage/plugin-permission-react';
import { appAccessSettingsManagePermission } from '@app-access/plugin-app-access-common';
import {
  adminRouteRef,
  approvalsRouteRef,
  myAccessRouteRef,
  myRequestsRouteRef,
  rootRouteRef,
} from '../../routes';
import { AppsPage } from '../AppsPage';
import { loadAdminPage } from '../admin/loadAdminPage';

// The catalog is the page most people open, so it comes with this chunk; the
// other pages are chunks of their own, loaded when first visited, so opening
// the catalog does not download and parse the app page's request form, the
// approvals or the administration (about half of App Access's code).
const AppPage = lazy(() =>
  import('../AppPage').then(m => ({ default: m.AppPage })),
);
const MyRequestsPage = lazy(() =>
  import('../MyRequestsPage').then(m => ({ default: m.MyRequestsPage })),
);
const RequestPage = lazy(() =>
  import('../RequestPage').then(m => ({ default: m.RequestPage })),
);
const ApprovalsPage = lazy(() =>
  import('../ApprovalsPage').then(m => ({ default: m.ApprovalsPage })),
);
const MyAccessPage = lazy(() =>
  import('../MyAccessPage').then(m => ({ default: m.MyAccessPage })),
);
const AppAccessAdminRouter = lazy(() =>
  loadAdminPage().then(m => ({ default: m.AppAccessAdminRouter })),
);

const TABS = [
  { id: 'catalog', label: 'Catalog' },
  { id: 'requests', label: 'My requests' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'my-access', label: 'My access' },
];

const ADMIN_TAB = { id: 'admin', label: 'Admin' };

const AppAccessTabs = ({
  isAdmin,
  permissionLoading,
}: {
  isAdmin: boolean;
  permissionLoading?: boolean;
}) => {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const root = useRouteRef(rootRouteRef)();
  const myRequests = useRouteRef(myRequestsRouteRef)();
  const approvals = useRouteRef(approvalsRouteRef)();
  const admin = useRouteRef(adminRouteRef)();
  const myAccess = useRouteRef(myAccessRouteRef)();

  const rest = pathname.startsWith(root) ? pathname.slice(root.length) : '';
  const onAdmin = /^\/admin(\/|$)/.test(rest);
  let selectedIndex = 0;
  if (/^\/requests(\/|$)/.test(rest)) {
    selectedIndex = 1;
  } else if (/^\/approvals(\/|$)/.test(rest)) {
    selectedIndex = 2;
  } else if (/^\/my-access(\/|$)/.test(rest)) {
    selectedIndex = 3;
  }
  // The admin tab is for admins only; while the permission is still loading
  // on an admin page it stays, so the selection is valid (the page itself
  // says no to others).
  const showAdmin = isAdmin || (onAdmin && Boolean(permissionLoading));
  if (onAdmin && showAdmin) {
    selectedIndex = 4;
  }
  const tabs = showAdmin ? [...TABS, ADMIN_TAB] : TABS;
  const targets = [root, myRequests, approvals, myAccess, admin];

  return (
    <HeaderTabs
      // HeaderTabs keeps the selection in state and catches up a render
      // later; when the admin tab goes away that render would point past the
      // last tab (MUI logs an invalid Tabs value). A new count starts afresh.
      key={tabs.length}
      tabs={tabs}
      selectedIndex={selectedIndex}
      onChange={index => navigate(targets[index])}
    />
  );
};

const PermissionedTabs = () => {
  const { allowed, loading } = usePermission({
    permission: appAccessSettingsManagePermission,
  });
  return <AppAccessTabs isAdmin={allowed} permissionLoading={loading} />;
};

/** The App Access page: catalog, app pages, requests, approvals and, for admins, administration. */
export const AppAccessRouter = () => {
  // Apps without a permission API get no admin tab rather than a crash.
  const hasPermissionApi = Boolean(useApiHolder().get(permissionApiRef));
  return (
    <Page themeId="tool">
      <Header
        title="Apps"
        subtitle="Find the tools your company uses and request access"
      />
      {hasPermissionApi ? (
        <PermissionedTabs />
      ) : (
        <AppAccessTabs isAdmin={false} />
      )}
      <Suspense fallback={<Progress />}>
        <Routes>
          <Route path="/" element={<AppsPage />} />
          <Route path="/requests" element={<MyRequestsPage />} />
          <Route path="/requests/:requestId" element={<RequestPage />} />
          <Route path="/approvals" element={<ApprovalsPage />} />
          <Route path="/my-access" element={<MyAccessPage />} />
          <Route path="/admin/*" element={<AppAccessAdminRouter />} />
          <Route path="/:appId" element={<AppPage />} />
        </Routes>
      </Suspense>
    </Page>
  );
};
