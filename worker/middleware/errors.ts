/** The one place errors reach the wire: `{error, error_description}` JSON, no-store, challenges on 401. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { OAuthError, ServiceUnavailableError } from '../../src/oauth/errors';
import { StorageCircuitOpenError } from '../../src/resilience/guarded-storage';
import { ConflictError, InvalidValueError, StorageUnavailableError } from '../../src/storage/ports';
import type { AppEnv } from '../context';

export function toOAuthError(error: unknown): OAuthError | null {
  if (error instanceof OAuthError) return error;
  if (error instanceof StorageCircuitOpenError)
    return new ServiceUnavailableError('storage is unavailable, retry later', error.retryAfterSecs);
  if (error instanceof StorageUnavailableError)
    return new ServiceUnavailableError('storage is unavailable, retry later');
  if (error instanceof ConflictError) return new OAuthError('invalid_request', error.message, 409);
  if (error instanceof InvalidValueError) return new OAuthError('invalid_request', error.message, 400);
  if (error instanceof HTTPException && error.status < 500) {
    return new OAuthError('invalid_request', error.message || 'malformed request', error.status);
  }
  return null;
}

export function errorResponse(error: OAuthError): Response {
  return new Response(JSON.stringify(error.toJSON()), {
    status: error.status,
    headers: {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...error.headers,
    },
  });
}

export function onError(error: unknown, c: Context<AppEnv>): Response {
  const known = toOAuthError(error);
  if (known) return errorResponse(known);
  // Unknown failures: details go to the log (never request bodies or secrets), the client gets a bare server_error.
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
  console.error(
    JSON.stringify({ level: 'error', requestId: c.get('requestId'), path: c.req.path, error: detail }),
  );
  return errorResponse(new OAuthError('server_error', 'internal error', 500));
}

export function notFound(): Response {
  return errorResponse(new OAuthError('not_found', 'no such endpoint', 404));
}
