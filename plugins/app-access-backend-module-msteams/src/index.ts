/**
 * Microsoft Teams for App Access: approval, reminder, decision and status
 * cards posted to a channel through a Teams Workflows webhook.
 *
 * @packageDocumentation
 */
export { appAccessModuleMsTeams as default } from './module';
