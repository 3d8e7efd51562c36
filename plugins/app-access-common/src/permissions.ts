import {
  createPermission,
  Permission,
} from '@backstage/plugin-permission-common';

/** Change App Access settings: approval defaults, ticketing, notifications. */
export const appAccessSettingsManagePermission = createPermission({
  name: 'app-access.settings.manage',
  attributes: { action: 'update' },
});

/** Add, edit and remove apps and their license tiers in the catalog. */
export const appAccessAppManagePermission = createPermission({
  name: 'app-access.app.manage',
  attributes: { action: 'update' },
});

/** See every request, not only one's own or those one approves. */
export const appAccessRequestReadAllPermission = createPermission({
  name: 'app-access.request.read.all',
  attributes: { action: 'read' },
});

/** Retry failed fulfilment, mark requests fulfilled, retry dead jobs. */
export const appAccessRequestManagePermission = createPermission({
  name: 'app-access.request.manage',
  attributes: { action: 'update' },
});

/** Read the audit trail. */
export const appAccessAuditReadPermission = createPermission({
  name: 'app-access.audit.read',
  attributes: { action: 'read' },
});

/**
 * Every permission App Access defines. All of them are administrative: an
 * employee needs none of them to browse, request, cancel or approve.
 */
export const appAccessPermissions: Permission[] = [
  appAccessSettingsManagePermission,
  appAccessAppManagePermission,
  appAccessRequestReadAllPermission,
  appAccessRequestManagePermission,
  appAccessAuditReadPermission,
];
