import { ReactNode } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import {
  permissionApiRef,
  RequirePermission,
} from '@backstage/plugin-permission-react';
import { Box } from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import { appAccessSettingsManagePermission } from '@app-access/plugin-app-access-common';

/** One of App Access's admin permissions (all are basic permissions). */
export type AdminPermission = typeof appAccessSettingsManagePermission;

export type NotAllowedPanelProps = {
  title: string;
  permission: AdminPermission;
};

/** Says clearly that the page is for App Access admins, and which permission it takes. */
export const NotAllowedPanel = ({
  title,
  permission,
}: NotAllowedPanelProps) => (
  <Box my={2} data-testid="app-access-not-allowed">
    <Alert severity="warning">
      <AlertTitle>{title}</AlertTitle>
      This page is for App Access admins. Ask your Backstage admin for the{' '}
      <code>{permission.name}</code> permission if you need it.
    </Alert>
  </Box>
);

export type AdminGateProps = {
  permission: AdminPermission;
  /** e.g. "You are not allowed to change App Access settings". */
  deniedTitle: string;
  children: ReactNode;
};

/**
 * Renders the children for users with the permission, and a clear refusal
 * for everyone else. The backend checks the same permission on every call;
 * this only spares others a page of errors.
 */
export const AdminGate = ({
  permission,
  deniedTitle,
  children,
}: AdminGateProps) => {
  const denied = (
    <NotAllowedPanel title={deniedTitle} permission={permission} />
  );
  // Without a permission API nothing can be decided: refuse.
  if (!useApiHolder().get(permissionApiRef)) {
    return denied;
  }
  return (
    <RequirePermission permission={permission} errorPage={denied}>
      {children}
    </RequirePermission>
  );
};
