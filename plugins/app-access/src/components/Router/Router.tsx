import { Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Header, HeaderTabs, Page } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  approvalsRouteRef,
  myRequestsRouteRef,
  rootRouteRef,
} from '../../routes';
import { AppPage } from '../AppPage';
import { AppsPage } from '../AppsPage';
import { ApprovalsPage } from '../ApprovalsPage';
import { MyRequestsPage } from '../MyRequestsPage';
import { RequestPage } from '../RequestPage';

const TABS = [
  { id: 'catalog', label: 'Catalog' },
  { id: 'requests', label: 'My requests' },
  { id: 'approvals', label: 'Approvals' },
];

const AppAccessTabs = () => {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const root = useRouteRef(rootRouteRef)();
  const myRequests = useRouteRef(myRequestsRouteRef)();
  const approvals = useRouteRef(approvalsRouteRef)();

  const rest = pathname.startsWith(root) ? pathname.slice(root.length) : '';
  let selectedIndex = 0;
  if (/^\/requests(\/|$)/.test(rest)) {
    selectedIndex = 1;
  } else if (/^\/approvals(\/|$)/.test(rest)) {
    selectedIndex = 2;
  }
  const targets = [root, myRequests, approvals];

  return (
    <HeaderTabs
      tabs={TABS}
      selectedIndex={selectedIndex}
      onChange={index => navigate(targets[index])}
    />
  );
};

/** The App Access page: catalog, app pages, requests and approvals. */
export const AppAccessRouter = () => (
  <Page themeId="tool">
    <Header
      title="Apps"
      subtitle="Find the tools your company uses and request access"
    />
    <AppAccessTabs />
    <Routes>
      <Route path="/" element={<AppsPage />} />
      <Route path="/requests" element={<MyRequestsPage />} />
      <Route path="/requests/:requestId" element={<RequestPage />} />
      <Route path="/approvals" element={<ApprovalsPage />} />
      <Route path="/:appId" element={<AppPage />} />
    </Routes>
  </Page>
);
