/** Storage: ports, paging errors and the adapter factory (re-exports). */
export { createStorage } from './create-storage';
export { InvalidCursorError } from './paging';
export * from './ports';
