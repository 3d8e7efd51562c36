/**
 * Test utilities for App Access and its modules: the real core on a test
 * backend, a test org for the in-memory catalog, polling, and a reclamation
 * campaign's set-up.
 *
 * @packageDocumentation
 */
export * from './catalog';
export * from './coreTestBackend';
export * from './ticketing';
export * from './waitFor';
export * from './moduleStatus';
export * from './accessEngine';
export * from './reclaim';
