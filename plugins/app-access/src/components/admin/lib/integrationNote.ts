import { IntegrationStatus } from '@app-access/plugin-app-access-common';

/**
 * What the page says of a module that is installed but lacks its config,
 * naming the keys to set; undefined for any other state. Without it an
 * installed module read as a failed install.
 */
export function notConfiguredNote(
  status: IntegrationStatus | undefined,
): string | undefined {
  if (!status?.installed || status.configured) {
    return undefined;
  }
  return status.missing?.length
    ? `Installed, not configured: set ${status.missing.join(', ')}`
    : 'Installed, not configured';
}
