/**
 * Durable Object RPC passes an exception on as a plain `Error` whose message is `"<name>: <message>"`,
 * marked `remote: true` (or `durableObjectReset: true` when it escaped `blockConcurrencyWhile`, which
 * also resets the object): the class is lost. The storage errors an actor throws are rebuilt here, so the
 * error handler answers 503 with Retry-After (database down), 409 (conflict) or 400 (a value the database
 * cannot store) exactly as when the Worker hits the same error itself, instead of a bare 500.
 */
import { ConflictError, InvalidValueError, StorageUnavailableError } from '../../src/storage/ports';

function fromActor(error: Error): boolean {
  return Reflect.get(error, 'remote') === true || Reflect.get(error, 'durableObjectReset') === true;
}

/** The storage error `error` stood for on the actor's side, or `error` itself. */
export function reviveActorError(error: unknown): unknown {
  if (!(error instanceof Error) || !fromActor(error)) return error;
  if (error.message.startsWith('StorageUnavailableError:')) {
    return new StorageUnavailableError(undefined, { cause: error });
  }
  const conflict = /^ConflictError: (.+) already exists$/.exec(error.message);
  if (conflict?.[1] !== undefined) return new ConflictError(conflict[1]);
  const invalid = /^InvalidValueError: (.+) has a value the database cannot store$/.exec(error.message);
  if (invalid?.[1] !== undefined) return new InvalidValueError(invalid[1]);
  return error;
}

/** Awaits an actor call, rebuilding the storage errors it threw. */
export async function viaActor<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw reviveActorError(error);
  }
}
