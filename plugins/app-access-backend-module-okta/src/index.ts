/**
 * App Access Okta module: fulfils requests by Okta group or app assignment.
 *
 * @packageDocumentation
 */
export { appAccessModuleOkta as default } from './module';
