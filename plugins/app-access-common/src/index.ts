/**
 * Types, permissions and API shapes shared by the App Access frontend and
 * backend.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './types';
