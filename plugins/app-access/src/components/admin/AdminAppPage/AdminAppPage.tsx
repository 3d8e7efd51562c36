import { useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Breadcrumbs,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Chip, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { appAccessAppManagePermission } from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import type { AdminApp } from '../../../api/AppAccessApi';
import { formatDateTime } from '../../../lib/format';
import { AppLogo } from '../../AppLogo';
import { AdminGate } from '../AdminGate';
import { AppEditor } from '../AppEditor';
import { Holders } from './Holders';
import { useAdminPaths, useAppPageLink } from '../lib/adminPaths';
import { appToDraft } from '../lib/appDraft';

const AppContent = () => {
  const { appId = '' } = useParams();
  const api = useApi(appAccessApiRef);
  const paths = useAdminPaths();
  const appPage = useAppPageLink();
  const loaded = useAsyncRetry(() => api.getAdminApp(appId), [api, appId]);
  const [saved, setSaved] = useState<AdminApp>();
  const [notice, setNotice] = useState<string>();
  // Re-mounts the editor from what the server saved.
  const [version, setVersion] = useState(0);

  const breadcrumbs = (
    <Breadcrumbs aria-label="breadcrumb">
      <Link to={paths.apps}>Apps</Link>
      <Typography>{saved?.name ?? loaded.value?.name ?? appId}</Typography>
    </Breadcrumbs>
  );

  const app = saved ?? loaded.value;
  if (!app) {
    return (
      <>
        {breadcrumbs}
        {loaded.error ? (
          <ResponseErrorPanel error={loaded.error} />
        ) : (
          <Progress />
        )}
      </>
    );
  }

  return (
    <>
      {breadcrumbs}
      <Box display="flex" alignItems="center" my={2} style={{ gap: 16 }}>
        <AppLogo app={app} size="large" />
        <Box flex={1}>
          <Typography variant="h4" component="h1">
            {app.name}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            {app.id} · {app.source ?? 'admin'}
            {app.adminModified ? ', changed by an admin' : ''}
            {app.updatedAt ? ` · updated ${formatDateTime(app.updatedAt)}` : ''}
          </Typography>
        </Box>
        <Chip
          label={app.listed ? 'In catalog' : 'Not in catalog'}
          color={app.listed ? 'primary' : 'default'}
        />
        {app.listed && appPage && (
          <Link to={appPage(app.id)}>Open app page</Link>
        )}
      </Box>
      {notice && (
        <Box mb={2}>
          <Alert severity="success" onClose={() => setNotice(undefined)}>
            {notice}
          </Alert>
        </Box>
      )}
      <InfoCard>
        <AppEditor
          key={version}
          initial={appToDraft(app)}
          isNew={false}
          savedListed={app.listed}
          onSaved={(next, message) => {
            setSaved(next);
            setNotice(message);
            setVersion(v => v + 1);
          }}
        />
      </InfoCard>
      <Box mt={3}>
        <Holders appId={app.id} tiers={app.tiers} />
      </Box>
    </>
  );
};

/** One app's editor page, at …/admin/apps/:appId. */
export const AdminAppPage = () => (
  <AdminGate
    permission={appAccessAppManagePermission}
    deniedTitle="You are not allowed to manage App Access apps"
  >
    <AppContent />
  </AdminGate>
);
