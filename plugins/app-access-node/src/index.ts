/**
 * Extension points for App Access backend modules.
 *
 * @packageDocumentation
 */
export * from './extensions';
export {
  CLOSED_BY_REQUESTER_NOTE,
  auditSummary,
  fulfilmentSummary,
  personName,
  removalSummary,
  removalTicketContext,
  ticketBody,
} from './ticketText';
export { connectedNotifier } from './connectedNotifier';
export type { BuiltNotifier } from './connectedNotifier';
export {
  describeReclaimAnswer,
  describeReclaimDeadline,
  describeReclaimRule,
} from './reclaimText';
