/**
 * App Access for Backstage's new frontend system: the plugin with its API,
 * the page at /apps, the admin page at /apps-admin (disabled by default) and
 * the entity card. Apps with feature discovery find it on their own.
 *
 * @packageDocumentation
 */
import appAccessPlugin from './extensions';

/**
 * App Access for Backstage's new frontend system.
 *
 * @alpha
 */
export default appAccessPlugin;
