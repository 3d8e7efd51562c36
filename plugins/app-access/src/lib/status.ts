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

/**
 * A status as it reads inside a sentence ("it is waiting for IT"): the label
 * without its capital, unless it starts with an acronym.
 */
export function statusInSentence(status: RequestStatus | string): string {
  const label = statusLabel(status);
  return /^[A-Z]{2}/.test(label)
    ? label
    : label.charAt(0).toLocaleLowerCase('en-US') + label.slice(1);
}

const STATUS_CODE = new RegExp(
  `\\b(${Object.keys(STATUS_LABELS)
    .filter(code => code.includes('_'))
    .join('|')})\\b`,
  'g',
);

/**
 * Status codes in the backend's sentences ("it is awaiting_it") as the words
 * the rest of the UI uses for them. Codes that are plain words already
 * ("fulfilling") read fine as they are.
 */
export function replaceStatusCodes(text: string): string {
  return text.replace(STATUS_CODE, code => statusInSentence(code));
}
