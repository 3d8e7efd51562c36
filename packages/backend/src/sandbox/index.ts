/**
 * The vendor sandbox of the example portal (appAccess.sandbox.enabled): the
 * root config that points the vendor modules at local fakes, and the API of
 * the portal's Sandbox page. Not part of any published package.
 */
export { sandboxRootConfigServiceFactory } from './rootConfig';
export { sandboxPlugin } from './plugin';
