/*
 * The shapes of the HTTP API are generated from the backend's openapi.yaml
 * (`./schema/openapi/generated`); this file only adds the names and constants
 * that code on both sides shares and that the spec cannot carry.
 */
import type { RequestStatus } from './schema/openapi/generated';

export const REQUEST_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
  'fulfilling',
  'awaiting_it',
  'fulfilled',
  'denied',
  'cancelled',
  'failed',
];

/** Statuses a request can still be cancelled from by its requester. */
export const CANCELLABLE_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
];

/** Statuses in which a request counts as open (blocks a duplicate). */
export const OPEN_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
  'fulfilling',
  'awaiting_it',
];

/** A page of a list route: `{ items, nextCursor }`. */
export type Paginated<T> = { items: T[]; nextCursor?: string };
