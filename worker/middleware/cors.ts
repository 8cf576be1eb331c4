/**
 * CORS, fail-closed: only origins listed in OAUTH2_ALLOWED_ORIGINS (`*` = any) get CORS headers, and only
 * on the endpoints a browser application calls directly: token, introspection, revocation, userinfo,
 * discovery, JWKS, registration, pushed authorization requests, device authorization, the protected
 * resource metadata (RFC 9728) and the MCP endpoint (browser-based MCP clients discover and call it
 * cross-origin, so its Mcp-* headers are allowed too). Preflights (OPTIONS with Access-Control-Request-Method) on those
 * paths answer 204 here, before resilience and rate limiting; with an origin that is not allowed the 204
 * carries no CORS headers, so the browser refuses the call. Credentials (cookies) are never allowed.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';

const CORS_PATHS = new Set([
  '/oauth/token',
  '/oauth/introspect',
  '/oauth/revoke',
  '/oauth/userinfo',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/jwks.json',
  '/connect/register',
  '/oauth/par',
  '/oauth/device_authorization',
  '/.well-known/oauth-protected-resource',
  '/mcp',
]);
/** Paths under which every path is a CORS path (a client's registration, a resource's metadata). */
const CORS_PREFIXES = ['/connect/register/', '/.well-known/oauth-protected-resource/'];
const ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const ALLOW_HEADERS =
  'Authorization, Content-Type, DPoP, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID';
const EXPOSE_HEADERS =
  'WWW-Authenticate, DPoP-Nonce, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id, Mcp-Session-Id';
const MAX_AGE_SECS = '3600';

export function isCorsPath(path: string): boolean {
  return CORS_PATHS.has(path) || CORS_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** The Access-Control-Allow-Origin value for `origin`, or null when it is not allowed. */
function allowedOrigin(allowed: readonly string[], origin: string | undefined): string | null {
  if (origin === undefined || origin === '' || origin === 'null') return null;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : null;
}

export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!isCorsPath(c.req.path)) return next();
  const allow = allowedOrigin(c.get('config').allowedOrigins, c.req.header('origin'));
  const preflight = c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined;
  if (preflight) {
    const headers = new Headers({ 'Cache-Control': 'no-store', Vary: 'Origin' });
    if (allow !== null) {
      headers.set('Access-Control-Allow-Origin', allow);
      headers.set('Access-Control-Allow-Methods', ALLOW_METHODS);
      headers.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
      headers.set('Access-Control-Max-Age', MAX_AGE_SECS);
    }
    return new Response(null, { status: 204, headers });
  }
  await next();
  if (allow === null) return;
  const headers = c.res.headers;
  headers.set('Access-Control-Allow-Origin', allow);
  headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  if (allow !== '*') headers.append('Vary', 'Origin');
};
