/**
 * The App Access backend plugin: app catalog store, request workflow, outbox
 * workers and HTTP API.
 *
 * @packageDocumentation
 */
export { appAccessPlugin as default } from './plugin';
