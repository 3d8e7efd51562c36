/**
 * Test utilities for App Access module authors.
 *
 * @packageDocumentation
 */
export * from './FakeVendorApi';
