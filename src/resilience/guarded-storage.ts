/**
 * The Storage ports behind a circuit breaker. The breaker decides once, before the first call of the
 * operation (one request) starts: refused, the operation has written nothing; admitted, every later call
 * of the same operation runs even if the breaker opens meanwhile (other requests' failures), so the
 * breaker never leaves an operation half-written. Only StorageUnavailableError counts as a failure;
 * conflicts and other answers mean the database is up.
 *
 * Every call is also counted and timed here, in memory (db_queries_total, db_query_duration_seconds),
 * labelled by port and method (`clients`, `get`; `storage` for a method of Storage itself), never by SQL.
 */
import { isolateMetrics } from '../observability/metrics';
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

/** The outcome label of a storage call. */
function outcomeOf(error: unknown): 'error' | 'unavailable' {
  return error instanceof StorageUnavailableError ? 'unavailable' : 'error';
}

/** Runs one storage call, counting and timing it (a clock read and two Map updates). */
async function measured<T>(port: string, method: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome: 'ok' | 'error' | 'unavailable' = 'ok';
  try {
    return await call();
  } catch (error) {
    outcome = outcomeOf(error);
    throw error;
  } finally {
    isolateMetrics.inc('db_queries_total', { port, method, outcome });
    isolateMetrics.observe(
      'db_query_duration_seconds',
      { port, method },
      (performance.now() - started) / 1000,
    );
  }
}

/** `target` (the store `port`) with every method routed through `guard`, counted and timed. */
function guarded<T extends object>(target: T, port: string, guard: Guard): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      const method = String(property);
      return (...args: unknown[]) =>
        measured(port, method, () => guard(() => Reflect.apply(value, object, args) as Promise<unknown>));
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
        const method = String(property);
        return (...args: unknown[]) =>
          measured('storage', method, () =>
            guard(() => Reflect.apply(value, object, args) as Promise<unknown>),
          );
      }
      if (typeof value !== 'object' || value === null) return value;
      let store = stores.get(property);
      if (store === undefined) {
        store = guarded(value, String(property), guard);
        stores.set(property, store);
      }
      return store;
    },
  });
}
