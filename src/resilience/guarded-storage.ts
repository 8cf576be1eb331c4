/**
 * The Storage ports behind a circuit breaker. The breaker decides once, before the first call of the
 * operation (one request) starts: refused, the operation has written nothing; admitted, every later call
 * of the same operation runs even if the breaker opens meanwhile (other requests' failures), so the
 * breaker never leaves an operation half-written. Only StorageUnavailableError counts as a failure;
 * conflicts and other answers mean the database is up.
 */
import { type Storage, StorageUnavailableError } from '../storage/ports';
import type { BreakerPermit, CircuitBreaker } from './circuit-breaker';

/** The storage breaker is open: the request is refused before any storage call. */
export class StorageCircuitOpenError extends StorageUnavailableError {
  constructor(readonly retryAfterSecs: number) {
    super('storage is unavailable (circuit open)');
    this.name = 'StorageCircuitOpenError';
  }
}

type Guard = <T>(call: () => Promise<T>) => Promise<T>;

/** `target` with every method routed through `guard`. */
function guarded<T extends object>(target: T, guard: Guard): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => guard(() => Reflect.apply(value, object, args) as Promise<unknown>);
    },
  });
}

/** One operation's view of `storage` through `breaker` (build one per request). */
export function guardStorage(storage: Storage, breaker: CircuitBreaker): Storage {
  let admitted = false;
  const guard: Guard = async (call) => {
    let permit: BreakerPermit;
    if (admitted) {
      permit = breaker.admitted();
    } else {
      const first = breaker.tryAcquire();
      if (first === null) throw new StorageCircuitOpenError(breaker.retryAfterSecs());
      admitted = true;
      permit = first;
    }
    try {
      const result = await call();
      permit.success();
      return result;
    } catch (error) {
      if (error instanceof StorageUnavailableError) permit.failure();
      else permit.success();
      throw error;
    }
  };
  const stores = new Map<PropertyKey, unknown>();
  return new Proxy(storage, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value === 'function') {
        return (...args: unknown[]) => guard(() => Reflect.apply(value, object, args) as Promise<unknown>);
      }
      if (typeof value !== 'object' || value === null) return value;
      let store = stores.get(property);
      if (store === undefined) {
        store = guarded(value, guard);
        stores.set(property, store);
      }
      return store;
    },
  });
}
