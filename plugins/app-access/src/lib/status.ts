import { RequestStatus } from '@app-access/plugin-app-access-common';

export const STATUS_LABELS: Record<RequestStatus, string> = {
  submitted: 'Submitted',
  pending_approval: 'Pending approval',
  approved: 'Approved',
  fulfilling: 'Granting access',
  awaiting_it: 'Waiting for IT',
  fulfilled: 'Fulfilled',
  denied: 'Denied',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function statusLabel(status: RequestStatus | string): string {
  return STATUS_LABELS[status as RequestStatus] ?? status;
}

/** The tone a status is shown in; mapped onto theme colours by StatusChip. */
export type StatusTone = 'neutral' | 'pending' | 'running' | 'ok' | 'error';

export const STATUS_TONES: Record<RequestStatus, StatusTone> = {
  submitted: 'pending',
  pending_approval: 'pending',
  approved: 'running',
  fulfilling: 'running',
  awaiting_it: 'running',
  fulfilled: 'ok',
  denied: 'error',
  cancelled: 'neutral',
  failed: 'error',
};
