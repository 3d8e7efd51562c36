import {
  Link as RouterLink,
  Navigate,
  Route,
  Routes,
  useLocation,
  useResolvedPath,
} from 'react-router-dom';
import { Content, Header, Page, Progress } from '@backstage/core-components';
import { useApiHolder } from '@backstage/core-plugin-api';
import {
  permissionApiRef,
  usePermission,
} from '@backstage/plugin-permission-react';
import { Box, makeStyles, Tab, Tabs } from '@material-ui/core';
import {
  appAccessAppManagePermission,
  appAccessAuditReadPermission,
  appAccessRequestManagePermission,
  appAccessRequestReadAllPermission,
  appAccessSettingsManagePermission,
} from '@app-access/plugin-app-access-common';
import { AdminAppPage } from '../AdminAppPage';
import { AdminAppsPage } from '../AdminAppsPage';
import { AdminRequestPage } from '../AdminRequestPage';
import { AuditPage } from '../AuditPage';
import { CampaignPage, CampaignsPage, NewCampaignPage } from '../CampaignsPage';
import { ChecklistPage } from '../ChecklistPage';
import { RequestOversightPage } from '../RequestOversightPage';
import { SettingsPage } from '../SettingsPage';
import { UsagePage } from '../UsagePage';
import { AdminBaseContext, adminPaths } from '../lib/adminPaths';

const useStyles = makeStyles(theme => ({
  nav: {
    borderBottom: `1px solid ${theme.palette.divider}`,
    marginBottom: theme.spacing(2),
  },
}));

/** The admin pages, and the permission each one needs (as its AdminGate checks). */
export const ADMIN_SECTIONS = [
  {
    path: 'settings',
    label: 'Settings',
    permission: appAccessSettingsManagePermission,
  },
  { path: 'apps', label: 'Apps', permission: appAccessAppManagePermission },
  { path: 'usage', label: 'Usage', permission: appAccessAppManagePermission },
  {
    path: 'campaigns',
    label: 'Campaigns',
    permission: appAccessRequestManagePermission,
  },
  {
    path: 'requests',
    label: 'Requests',
    permission: appAccessRequestReadAllPermission,
  },
  {
    path: 'audit',
    label: 'Audit trail',
    permission: appAccessAuditReadPermission,
  },
  {
    path: 'checklist',
    label: 'Test your configuration',
    permission: appAccessAuditReadPermission,
  },
] as const;

type AdminSection = (typeof ADMIN_SECTIONS)[number];

/** Which admin pages the user may open; none while the answers load. */
type SectionAccess = {
  loading: boolean;
  allowed: readonly AdminSection[];
};

const NO_ACCESS: SectionAccess = { loading: false, allowed: [] };

function useSectionAccess(): SectionAccess {
  // One check per distinct permission, always in this order.
  const answers: Record<string, ReturnType<typeof usePermission>> = {
    [appAccessSettingsManagePermission.name]: usePermission({
      permission: appAccessSettingsManagePermission,
    }),
    [appAccessAppManagePermission.name]: usePermission({
      permission: appAccessAppManagePermission,
    }),
    [appAccessRequestReadAllPermission.name]: usePermission({
      permission: appAccessRequestReadAllPermission,
    }),
    [appAccessRequestManagePermission.name]: usePermission({
      permission: appAccessRequestManagePermission,
    }),
    [appAccessAuditReadPermission.name]: usePermission({
      permission: appAccessAuditReadPermission,
    }),
  };
  if (Object.values(answers).some(a => a.loading)) {
    return { loading: true, allowed: [] };
  }
  return {
    loading: false,
    allowed: ADMIN_SECTIONS.filter(s => answers[s.permission.name]?.allowed),
  };
}

/**
 * The sub-menu, with the pages the user may open. Users with none of the
 * admin permissions get no menu at all: the page they opened says no.
 */
const AdminNav = ({
  base,
  sections,
}: {
  base: string;
  sections: readonly AdminSection[];
}) => {
  const classes = useStyles();
  const { pathname } = useLocation();
  if (sections.length === 0) {
    return null;
  }
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : '';
  const current = sections.findIndex(s =>
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
        {sections.map(s => (
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

/** `/`: the first admin page the user may open (settings for admins; its refusal for others). */
const FirstSection = ({
  base,
  access,
}: {
  base: string;
  access: SectionAccess;
}) => {
  if (access.loading) {
    return <Progress />;
  }
  const first = access.allowed[0]?.path ?? 'settings';
  return <Navigate to={`${base}/${first}`} replace />;
};

const AdminLayout = ({
  base,
  access,
}: {
  base: string;
  access: SectionAccess;
}) => (
  <AdminBaseContext.Provider value={base}>
    <Content>
      <AdminNav base={base} sections={access.allowed} />
      <Routes>
        <Route
          path="/"
          element={<FirstSection base={base} access={access} />}
        />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/apps" element={<AdminAppsPage />} />
        <Route path="/apps/:appId" element={<AdminAppPage />} />
        <Route path="/usage" element={<UsagePage />} />
        <Route path="/campaigns" element={<CampaignsPage />} />
        <Route path="/campaigns/new" element={<NewCampaignPage />} />
        <Route path="/campaigns/:campaignId" element={<CampaignPage />} />
        <Route path="/requests" element={<RequestOversightPage />} />
        <Route path="/requests/:requestId" element={<AdminRequestPage />} />
        <Route path="/audit" element={<AuditPage />} />
        <Route path="/checklist" element={<ChecklistPage />} />
      </Routes>
    </Content>
  </AdminBaseContext.Provider>
);

const PermissionedAdminLayout = ({ base }: { base: string }) => {
  const access = useSectionAccess();
  return <AdminLayout base={base} access={access} />;
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
 * page checks its own permission; the sub-menu shows only the pages the
 * user may open, and nothing to users who may open none.
 */
export const AppAccessAdminRouter = ({
  basePath,
}: AppAccessAdminRouterProps) => {
  const resolved = useResolvedPath('.').pathname;
  const base = adminPaths(basePath ?? resolved).root;
  // Without a permission API nobody is an admin (as AdminGate decides).
  const hasPermissionApi = Boolean(useApiHolder().get(permissionApiRef));
  return hasPermissionApi ? (
    <PermissionedAdminLayout base={base} />
  ) : (
    <AdminLayout base={base} access={NO_ACCESS} />
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
