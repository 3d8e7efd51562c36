/**
 * Extension points for App Access backend modules.
 *
 * @packageDocumentation
 */
export * from './extensions';
export {
  auditSummary,
  fulfilmentSummary,
  personName,
  ticketBody,
} from './ticketText';
export { connectedNotifier } from './connectedNotifier';
export type { BuiltNotifier } from './connectedNotifier';
