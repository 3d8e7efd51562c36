/**
 * Extension points for App Access backend modules.
 *
 * @packageDocumentation
 */
export * from './extensions';
