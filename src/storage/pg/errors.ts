/** Maps PostgreSQL and driver errors to the port errors, without leaking SQL or bound values in messages. */
import { DrizzleQueryError } from 'drizzle-orm';
import { ConflictError, InvalidValueError, StorageUnavailableError } from '../ports';

/** SQLSTATE 23505 unique_violation (a primary key or unique constraint). */
const UNIQUE_VIOLATION = '23505';

/**
 * Values PostgreSQL cannot take: 22021 character_not_in_repertoire (a NUL byte in text), 22P05
 * untranslatable_character (`\u0000` in jsonb), 54000 program_limit_exceeded (a key too long for its
 * index). Hostile input, not a server fault.
 */
const INVALID_VALUE_STATE = /^(22021|22P05|54000)$/;

/**
 * SQLSTATEs that mean "the database cannot serve us right now" rather than "this statement is wrong":
 * class 08 connection exception, 53 insufficient resources (53300 too_many_connections), 57P01-57P05
 * shutdown / cannot connect now / idle session timeout, 57014 statement timeout or cancel, 40001 / 40P01
 * serialization failure and deadlock (retryable), 28 invalid authorization and 3D000 unknown database
 * (the database we were configured with cannot be used).
 */
const UNAVAILABLE_STATE = /^(08|53|57P0|28)|^(57014|40001|40P01|3D000)$/;

/** Failures before the server answered: refused, reset, timed out, socket closed. */
const UNAVAILABLE_MESSAGE =
  /timeout|timed out|terminated|ECONNREFUSED|ECONNRESET|EPIPE|socket|WebSocket|connect|closed|network|too many/i;

/** The SQLSTATE of a server error (node-postgres DatabaseError `code`), if it is one. */
function sqlState(error: unknown): string | undefined {
  const code = error !== null && typeof error === 'object' ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === 'object') {
    const message = Reflect.get(error, 'message');
    if (typeof message === 'string') return message;
    // A WebSocket `error` event (the driver passes those on as they are).
    const type = Reflect.get(error, 'type');
    if (typeof type === 'string') return `WebSocket ${type}`;
  }
  return String(error);
}

/**
 * The port error for a failed operation on `what`. DrizzleQueryError is never passed on: its message
 * carries the SQL and the bound values (the driver error stays available as `cause`).
 */
export function translatePgError(what: string, error: unknown): Error {
  // Already translated (a write of a unit of work, named after itself).
  if (error instanceof ConflictError || error instanceof InvalidValueError) return error;
  if (error instanceof StorageUnavailableError) return error;
  const isQueryError = error instanceof DrizzleQueryError;
  const driverError = isQueryError ? error.cause : error;
  const state = sqlState(driverError);
  if (state === UNIQUE_VIOLATION) return new ConflictError(what);
  if (state !== undefined && INVALID_VALUE_STATE.test(state)) return new InvalidValueError(what);
  if (state !== undefined && UNAVAILABLE_STATE.test(state)) {
    return new StorageUnavailableError(undefined, { cause: driverError });
  }
  // No SQLSTATE: the statement never got an answer from the server (connection-level failure).
  if (state === undefined && (isQueryError || UNAVAILABLE_MESSAGE.test(messageOf(driverError)))) {
    return new StorageUnavailableError(undefined, { cause: driverError });
  }
  if (isQueryError || state !== undefined) return new Error(`${what} query failed`, { cause: driverError });
  return error instanceof Error ? error : new Error(`${what} operation failed`, { cause: error });
}
