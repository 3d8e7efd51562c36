/**
 * Types, permissions and API shapes shared by the App Access frontend and
 * backend. The API shapes are generated from the backend's openapi.yaml.
 *
 * @packageDocumentation
 */
export * from './events';
export * from './permissions';
export * from './types';
export * from './schema/openapi/generated';
