/**
 * App Access email module: approvals by single-use links, notices to
 * requesters, and email-to-ticket fulfillment (nodemailer).
 *
 * @packageDocumentation
 */
export { appAccessModuleEmail as default } from './module';
