/** Storage: ports, paging errors and the adapter factory (re-exports). */
export {
  createStorage,
  releaseStorage,
  type StorageEnv,
  type WaitUntil,
  withStorage,
} from './create-storage';
export { InvalidCursorError } from './paging';
export * from './ports';
