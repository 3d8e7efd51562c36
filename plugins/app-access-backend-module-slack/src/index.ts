/**
 * Slack for App Access: approval DMs with Approve / Deny buttons, decision
 * updates and requester notices, through the Slack Web API.
 *
 * @packageDocumentation
 */
export { appAccessModuleSlack as default } from './module';
