import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ContentHeader,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Grid, Snackbar, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  appAccessSettingsManagePermission,
  SettingsResponse,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import { AdminGate } from '../AdminGate';
import {
  BrandingSection,
  DefaultsSection,
  FulfillmentSection,
  NotificationsSection,
  OnBehalfSection,
  AccessDurationSection,
  PeersSection,
} from './sections';
import { SyncStatusCard } from './SyncStatusCard';

const SettingsContent = () => {
  const api = useApi(appAccessApiRef);
  const loaded = useAsyncRetry(() => api.getSettings(), [api]);
  const [settings, setSettings] = useState<SettingsResponse>();
  const [toast, setToast] = useState<string>();

  useEffect(() => {
    if (loaded.value) {
      setSettings(loaded.value);
    }
  }, [loaded.value]);

  if (!settings) {
    if (loaded.error) {
      return <ResponseErrorPanel error={loaded.error} />;
    }
    return <Progress />;
  }

  const onSaved = (next: SettingsResponse, message: string) => {
    setSettings(next);
    setToast(message);
  };
  const props = { settings, onSaved };

  return (
    <>
      <ContentHeader title="Settings">
        <Typography variant="body2" color="textSecondary">
          app-config gives the defaults; what you change here overrides them.
          Secrets stay in app-config and are never shown.
        </Typography>
      </ContentHeader>
      <Grid container spacing={3}>
        <Grid item xs={12} lg={6}>
          <DefaultsSection {...props} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <FulfillmentSection {...props} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <NotificationsSection {...props} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <PeersSection {...props} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <BrandingSection {...props} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <OnBehalfSection {...props} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <AccessDurationSection {...props} />
        </Grid>
        <Grid item xs={12}>
          <SyncStatusCard />
        </Grid>
      </Grid>
      <Snackbar
        open={Boolean(toast)}
        autoHideDuration={5000}
        onClose={() => setToast(undefined)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
      >
        <Alert severity="success" onClose={() => setToast(undefined)}>
          {toast}
        </Alert>
      </Snackbar>
    </>
  );
};

/** App Access settings for admins: approvals, fulfilment, notifications, privacy, branding. */
export const SettingsPage = () => (
  <AdminGate
    permission={appAccessSettingsManagePermission}
    deniedTitle="You are not allowed to change App Access settings"
  >
    <SettingsContent />
  </AdminGate>
);
