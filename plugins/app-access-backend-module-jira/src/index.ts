/**
 * App Access Jira Service Management module: fulfilment tickets, ticket
 * follow-up and audit-trail tickets (jira.js).
 *
 * @packageDocumentation
 */
export { appAccessModuleJira as default } from './module';
