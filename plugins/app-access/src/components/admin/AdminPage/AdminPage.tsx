import {
  Link as RouterLink,
  Navigate,
  Route,
  Routes,
  useLocation,
  useResolvedPath,
} from 'react-router-dom';
import { Content, Header, Page } from '@backstage/core-components';
import { Box, makeStyles, Tab, Tabs } from '@material-ui/core';
import { AdminAppPage } from '../AdminAppPage';
import { AdminAppsPage } from '../AdminAppsPage';
import { AdminRequestPage } from '../AdminRequestPage';
import { AuditPage } from '../AuditPage';
import { ChecklistPage } from '../ChecklistPage';
import { RequestOversightPage } from '../RequestOversightPage';
import { SettingsPage } from '../SettingsPage';
import { AdminBaseContext, adminPaths } from '../lib/adminPaths';

const useStyles = makeStyles(theme => ({
  nav: {
    borderBottom: `1px solid ${theme.palette.divider}`,
    marginBottom: theme.spacing(2),
  },
}));

export const ADMIN_SECTIONS = [
  { path: 'settings', label: 'Settings' },
  { path: 'apps', label: 'Apps' },
  { path: 'requests', label: 'Requests' },
  { path: 'audit', label: 'Audit trail' },
  { path: 'checklist', label: 'Test your configuration' },
] as const;

const AdminNav = ({ base }: { base: string }) => {
  const classes = useStyles();
  const { pathname } = useLocation();
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : '';
  const current = ADMIN_SECTIONS.findIndex(s =>
    new RegExp(`^/${s.path}(/|$)`).test(rest),
  );
  return (
    <Box className={classes.nav}>
      <Tabs
        value={current === -1 ? false : current}
        indicatorColor="primary"
        variant="scrollable"
        scrollButtons="auto"
        aria-label="App Access administration"
      >
        {ADMIN_SECTIONS.map(s => (
          <Tab
            key={s.path}
            label={s.label}
            component={RouterLink}
            to={`${base}/${s.path}`}
          />
        ))}
      </Tabs>
    </Box>
  );
};

export type AppAccessAdminRouterProps = {
  /**
   * Where the admin pages are mounted; by default the path of the route
   * that renders this router.
   */
  basePath?: string;
};

/**
 * The admin pages on sub-routes: settings, apps (and one app), requests
 * (and one request), the audit trail and the configuration checklist. Each
 * page checks its own permission.
 */
export const AppAccessAdminRouter = ({
  basePath,
}: AppAccessAdminRouterProps) => {
  const resolved = useResolvedPath('.').pathname;
  const base = adminPaths(basePath ?? resolved).root;
  const paths = adminPaths(base);
  return (
    <AdminBaseContext.Provider value={base}>
      <Content>
        <AdminNav base={base} />
        <Routes>
          <Route path="/" element={<Navigate to={paths.settings} replace />} />
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/apps" element={<AdminAppsPage />} />
          <Route path="/apps/:appId" element={<AdminAppPage />} />
          <Route path="/requests" element={<RequestOversightPage />} />
          <Route path="/requests/:requestId" element={<AdminRequestPage />} />
          <Route path="/audit" element={<AuditPage />} />
          <Route path="/checklist" element={<ChecklistPage />} />
        </Routes>
      </Content>
    </AdminBaseContext.Provider>
  );
};

/** The admin pages as a page of their own, for apps that mount them apart from the App Access page. */
export const AppAccessAdminStandalonePage = () => (
  <Page themeId="tool">
    <Header
      title="App Access administration"
      subtitle="Settings, apps, requests and the audit trail"
    />
    <AppAccessAdminRouter />
  </Page>
);
