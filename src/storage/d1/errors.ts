/** Maps D1 driver errors to the port errors, without leaking SQL or bound values in messages. */
import { DrizzleQueryError } from 'drizzle-orm';
import { ConflictError, StorageUnavailableError } from '../ports';

const UNIQUE_VIOLATION = /UNIQUE constraint failed|SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)/;

/** Transient D1 failures (https://developers.cloudflare.com/d1/observability/debug-d1/). */
const UNAVAILABLE =
  /Network connection lost|object to be reset|reset because its code was updated|overloaded|Too many requests queued|exceeded its memory limit|transient issue|timed? ?out|timeout|internal error|D1_RESET_DO/i;

/**
 * Runs one storage operation; a unique violation becomes ConflictError(`what`), an unreachable
 * database StorageUnavailableError, and any other query failure a generic error.
 * DrizzleQueryError is never rethrown: its message carries the SQL and the bound values.
 */
export async function d1Call<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateD1Error(what, error);
  }
}

/** The port error for a failed operation on `what` (see d1Call). */
export function translateD1Error(what: string, error: unknown): Error {
  const isQueryError = error instanceof DrizzleQueryError;
  const driverError = isQueryError ? error.cause : error;
  const message = driverError instanceof Error ? driverError.message : String(driverError);
  if (UNIQUE_VIOLATION.test(message)) return new ConflictError(what);
  if (UNAVAILABLE.test(message)) return new StorageUnavailableError(undefined, { cause: driverError });
  if (isQueryError) return new Error(`${what} query failed`, { cause: driverError });
  return error instanceof Error ? error : new Error(`${what} operation failed`, { cause: error });
}
