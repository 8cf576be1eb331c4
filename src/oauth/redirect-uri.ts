/**
 * Redirection URIs: what may be registered (RFC 6749 §3.1.2, RFC 8252 §7 native apps, RFC 9700 §4.1.3)
 * and how a presented one is matched against the registered ones (exact string match; the port of a
 * loopback IP literal may vary, RFC 8252 §7.3).
 */

export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** Loopback IP literals, whose port the native app picks at run time (RFC 8252 §7.3). */
const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);
/** RFC 3986 URIs are printable ASCII: no spaces, controls or raw Unicode (the URL parser would silently drop some). */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
/** A private-use scheme must be a reverse domain name (RFC 8252 §7.1), e.g. `com.example.app:`. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;

/** Why `uri` cannot be registered as a redirection URI, or null when it can. */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  if (!PRINTABLE_ASCII.test(uri)) return 'must not contain spaces, control or non-ASCII characters';
  const url = URL.parse(uri);
  if (!url) return 'must be an absolute URI';
  if (uri.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password || /^[^:]+:\/\/[^/?]*@/.test(uri)) return 'must not contain userinfo';
  if (url.protocol === 'https:') return url.hostname.includes('*') ? 'must not contain a wildcard' : null;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? null
      : 'must use https (plain http only for loopback: 127.0.0.1, [::1], localhost)';
  }
  if (PRIVATE_USE_SCHEME.test(url.protocol)) return null;
  return 'must use https, http on loopback, or a reverse-domain private-use scheme (RFC 8252 §7.1)';
}

/** True when `presented` is one of `registered`: exact match, except the port of a loopback IP literal. */
export function isRegisteredRedirectUri(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const url = URL.parse(presented);
  if (url?.protocol !== 'http:' || !LOOPBACK_IPS.has(url.hostname)) return false;
  const portless = withoutPort(url);
  return registered.some((candidate) => {
    const other = URL.parse(candidate);
    return other?.protocol === 'http:' && LOOPBACK_IPS.has(other.hostname) && withoutPort(other) === portless;
  });
}

function withoutPort(url: URL): string {
  const copy = new URL(url.href);
  copy.port = '';
  return copy.href;
}
