/**
 * Per-isolate concurrency limits: the global ceiling on requests in flight and the bulkheads of the
 * route groups. Each is a counter in this isolate's memory (Workers run many isolates, so the ceiling a
 * deployment sees is this figure times the isolates serving it).
 */

/** Requests in flight with a ceiling. */
export class ConcurrencyLimit {
  #inFlight = 0;

  constructor(
    readonly name: string,
    readonly max: number,
  ) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes a slot and returns its release (safe to call twice), or null when every slot is taken. */
  tryEnter(): (() => void) | null {
    if (this.#inFlight >= this.max) return null;
    this.#inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
    };
  }
}

/** The route groups that get a bulkhead each. */
export const BULKHEADS = ['token', 'pages', 'admin', 'registration'] as const;
export type BulkheadName = (typeof BULKHEADS)[number];

const TOKEN_PATHS = new Set([
  '/oauth/token',
  '/oauth/introspect',
  '/oauth/revoke',
  '/oauth/userinfo',
  '/oauth/par',
  '/oauth/device_authorization',
]);
const PAGE_PATHS = new Set([
  '/',
  '/profile',
  '/profile/connected-apps/revoke',
  '/oauth/authorize',
  '/oauth/consent',
  '/oauth/logout',
  '/oauth/device/verify',
]);

/**
 * The bulkhead of a path: token (the JSON endpoints that authenticate clients or check tokens: token,
 * introspection, revocation, userinfo, PAR, device authorization), pages (authorization, consent, device
 * verification, sign-in with its upstream /auth/login/{provider} and /auth/callback/{provider}, the other
 * browser pages), admin (pages, JSON API, and /mcp, whose tools are admin operations), registration;
 * null for the rest (discovery, JWKS, protected resource metadata, docs), which only the global limit
 * covers. An /mcp tool call re-enters the app in-process for the admin API it wraps, so it holds two
 * admin slots while it runs.
 */
export function bulkheadOf(path: string): BulkheadName | null {
  if (TOKEN_PATHS.has(path)) return 'token';
  if (PAGE_PATHS.has(path) || path === '/auth' || path.startsWith('/auth/')) return 'pages';
  if (path === '/admin' || path.startsWith('/admin/') || path === '/mcp') return 'admin';
  if (path === '/connect/register' || path.startsWith('/connect/register/')) return 'registration';
  return null;
}
