/**
 * The one place errors reach the wire. Middleware and routes throw (an OAuthError, a storage error, an
 * HTTPException, anything); `onError` and `notFound` hand it to `renderError`, and so does the one
 * middleware that replaces an answer after the fact (the invalid_client penalty). `wantsErrorPage` alone
 * decides the format:
 * - the browser pages (BROWSER_PATHS: sign-in, consent, device verification, profile, logout, upstream
 *   callbacks, the admin pages) answer the HTML error page, unless the client asked for JSON and not HTML;
 * - everything else (the OAuth and OpenID endpoints, the admin JSON API under /admin/api, unknown paths)
 *   answers `{error, error_description}` JSON.
 * Both are no-store and carry the error's own headers (WWW-Authenticate, Allow, Retry-After,
 * RateLimit-*). An unknown failure is logged (never a request body or a secret) and answers a bare
 * server_error. The request id and security headers are added on the way out (request-context.ts).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { HtmlEscapedCallbackPhase, resolveCallback } from 'hono/utils/html';
import { OAuthError, ServiceUnavailableError } from '../../src/oauth/errors';
import { StorageCircuitOpenError } from '../../src/resilience/guarded-storage';
import { ConflictError, InvalidValueError, StorageUnavailableError } from '../../src/storage/ports';
import { ErrorPage } from '../../templates/error';
import type { AppEnv } from '../context';
import { errorTitle, PageError, pageCsp, pageNonce } from '../http/pages';

/**
 * Browser routes (Hono patterns; `/x/*` also matches `/x` itself): they (and only they) load the session
 * cookie, so the token endpoints never pay for it, and they answer errors as HTML pages (except the JSON
 * API under /admin/api).
 */
export const BROWSER_PATHS = [
  '/',
  '/profile/*',
  '/auth/*',
  '/oauth/authorize',
  '/oauth/consent',
  '/oauth/logout',
  '/oauth/device/verify',
  '/admin/*',
] as const;

/** Whether `path` is one of the browser routes (BROWSER_PATHS, matched as Hono matches them). */
export function isBrowserPath(path: string): boolean {
  return BROWSER_PATHS.some((pattern) =>
    pattern.endsWith('/*')
      ? path === pattern.slice(0, -2) || path.startsWith(pattern.slice(0, -1))
      : path === pattern,
  );
}

/** Paths of the admin JSON API: errors stay JSON, an anonymous caller gets 401 rather than a redirect. */
export function isAdminApiPath(path: string): boolean {
  return path === '/admin/api' || path.startsWith('/admin/api/');
}

/** Whether the request's Accept names text/html (a browser navigating or posting a form). */
export function acceptsHtml(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('text/html');
}

/**
 * The one decision between the HTML error page and JSON: a browser route (not the admin JSON API) answers
 * the page, unless its Accept asks for JSON without HTML (a script calling a page route).
 */
export function wantsErrorPage(c: Context<AppEnv>): boolean {
  const path = c.req.path;
  if (!isBrowserPath(path) || isAdminApiPath(path)) return false;
  return acceptsHtml(c) || !(c.req.header('accept') ?? '').toLowerCase().includes('json');
}

/** The OAuth error a thrown value stands for, or null for an unknown failure (a bare server_error). */
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

/**
 * What the error page says: the error's own description below 500, a fixed sentence from 500 on, except
 * `server_misconfigured`, whose description names the settings (never their values) for the operator.
 */
function pageDescription(error: OAuthError): string {
  if (error.status < 500 || error.error === 'server_misconfigured') return error.message;
  return error.status === 503
    ? 'The service is temporarily unavailable. Try again in a moment.'
    : 'Something went wrong on our side. Try again later.';
}

/** `{error, error_description}`, no-store, with the error's headers. */
function jsonError(error: OAuthError): Response {
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

/** The error page with the page security headers (the CSP of its nonce), no-store, the error's headers. */
async function htmlError(c: Context<AppEnv>, error: OAuthError): Promise<Response> {
  const nonce = pageNonce(c);
  const element = ErrorPage({
    nonce,
    status: error.status,
    title: error instanceof PageError ? error.title : errorTitle(error.status),
    description: pageDescription(error),
  });
  const html = await resolveCallback(element, HtmlEscapedCallbackPhase.Stringify, false, {});
  return new Response(html, {
    status: error.status,
    headers: {
      'Content-Type': 'text/html; charset=UTF-8',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...error.headers,
      'Content-Security-Policy': pageCsp(nonce),
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    },
  });
}

/**
 * The response for any thrown value: the HTML error page or JSON (`wantsErrorPage`). A fresh response:
 * headers the failed handler had set (a cookie, say) do not leak onto it.
 */
export function renderError(c: Context<AppEnv>, error: unknown): Response | Promise<Response> {
  let known = toOAuthError(error);
  if (known === null) {
    // Unknown failures: details go to the log (never request bodies or secrets), the client gets a bare server_error.
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
    console.error(
      JSON.stringify({ level: 'error', requestId: c.get('requestId'), path: c.req.path, error: detail }),
    );
    known = new OAuthError('server_error', 'internal error', 500);
  }
  return wantsErrorPage(c) ? htmlError(c, known) : jsonError(known);
}

/** The app's error handler (`app.onError`). */
export function onError(error: unknown, c: Context<AppEnv>): Response | Promise<Response> {
  return renderError(c, error);
}

/** The app's not-found handler (`app.notFound`). */
export function notFound(c: Context<AppEnv>): Response | Promise<Response> {
  return renderError(c, new OAuthError('not_found', 'no such endpoint', 404));
}
