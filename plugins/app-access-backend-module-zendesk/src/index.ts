/**
 * App Access Zendesk module: fulfilment tickets, ticket follow-up and
 * audit-trail tickets (node-zendesk).
 *
 * @packageDocumentation
 */
export { appAccessModuleZendesk as default } from './module';
