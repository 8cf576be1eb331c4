/**
 * A client's `jwks_uri` (RFC 7591 §2) for private_key_jwt (RFC 7523): fetched with SSRF guards (https to a
 * host that is not a private, loopback or link-local address literal; no credentials in the URL; no
 * redirects; a deadline; a size cap) and cached per isolate with a TTL. The cache keeps resolved key sets
 * only, never a pending fetch: a request that finds no fresh entry fetches for itself (in workerd a promise
 * waiting on another request's I/O never settles once that request ends).
 *
 * Hostnames are not resolved here (Workers cannot): a name that resolves to a private address is stopped by
 * the platform, whose outbound fetch does not reach private networks.
 */
import type { JSONWebKeySet } from 'jose';
import { readCappedBytes } from '../resilience/capped-body';

/** How long a fetched key set is used. */
export const JWKS_CACHE_TTL_SECS = 300;
/** A key set younger than this is not fetched again for an unknown `kid`. */
export const JWKS_MIN_REFETCH_SECS = 30;
const FETCH_TIMEOUT_MS = 3000;
const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KEYS = 20;
const MAX_CACHE_ENTRIES = 500;

export class JwksUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JwksUnavailableError';
  }
}

interface Entry {
  jwks: JSONWebKeySet;
  fetchedAt: number;
}

const cache = new Map<string, Entry>();

export interface JwksOptions {
  allowLoopback: boolean;
  now: number;
  /** Fetch again unless the cached set is younger than JWKS_MIN_REFETCH_SECS (a `kid` was not found). */
  refresh?: boolean;
  fetcher?: typeof fetch;
}

/** The key set at `uri`, from this isolate's cache when fresh. */
export async function remoteJwks(uri: string, options: JwksOptions): Promise<JSONWebKeySet> {
  const url = checkJwksUri(uri, options.allowLoopback);
  const cached = cache.get(url.href);
  const age = cached ? options.now - cached.fetchedAt : Number.POSITIVE_INFINITY;
  if (cached && age < JWKS_CACHE_TTL_SECS && !(options.refresh && age >= JWKS_MIN_REFETCH_SECS)) {
    return cached.jwks;
  }
  const jwks = await fetchJwks(url, options.fetcher ?? ((input, init) => fetch(input, init)));
  if (cache.size >= MAX_CACHE_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.delete(url.href);
  cache.set(url.href, { jwks, fetchedAt: options.now });
  return jwks;
}

/** Drops this isolate's cached key sets (tests). */
export function clearJwksCache(): void {
  cache.clear();
}

/** The URL when it may be fetched: https to a public host, or (when allowed) http on loopback. */
export function checkJwksUri(uri: string, allowLoopback: boolean): URL {
  const url = URL.parse(uri);
  if (!url) throw new JwksUnavailableError('jwks_uri is not a URL');
  if (url.username || url.password) throw new JwksUnavailableError('jwks_uri must not carry credentials');
  const host = url.hostname.toLowerCase();
  const loopback = isLoopbackHost(host);
  if (loopback) {
    if (!allowLoopback) throw new JwksUnavailableError('jwks_uri must not point to a loopback address');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new JwksUnavailableError('jwks_uri must be http(s)');
    }
    return url;
  }
  if (url.protocol !== 'https:') throw new JwksUnavailableError('jwks_uri must be https');
  if (isNonPublicAddress(host)) throw new JwksUnavailableError('jwks_uri must point to a public host');
  return url;
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** IP literals of private, shared, link-local, multicast, reserved or unspecified ranges; internal names. */
function isNonPublicAddress(host: string): boolean {
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    return (
      v6 === '::' ||
      /^f[cd][0-9a-f]{2}:/.test(v6) ||
      /^fe[89ab][0-9a-f]:/.test(v6) ||
      v6.startsWith('ff') ||
      v6.startsWith('::ffff:') ||
      v6.startsWith('64:ff9b:')
    );
  }
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!v4) return host === 'internal' || host.endsWith('.internal') || host.endsWith('.local');
  const [a, b] = [Number(v4[1]), Number(v4[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

async function fetchJwks(url: URL, fetcher: typeof fetch): Promise<JSONWebKeySet> {
  let response: Response;
  try {
    response = await fetcher(url.href, {
      headers: { Accept: 'application/json, application/jwk-set+json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw new JwksUnavailableError('jwks_uri could not be fetched');
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new JwksUnavailableError(`jwks_uri answered ${response.status}`);
  }
  let text: string;
  try {
    text = await readCapped(response);
  } catch (error) {
    if (error instanceof JwksUnavailableError) throw error;
    throw new JwksUnavailableError('jwks_uri answer could not be read');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JwksUnavailableError('jwks_uri did not answer JSON');
  }
  return checkJwks(parsed);
}

async function readCapped(response: Response): Promise<string> {
  const bytes = await readCappedBytes(response.body, response.headers.get('content-length'), MAX_JWKS_BYTES);
  if (bytes === null) throw new JwksUnavailableError('jwks_uri answer is too large');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new JwksUnavailableError('jwks_uri answer is not UTF-8');
  }
}

/** A JWK Set of at most MAX_KEYS public keys (private members are refused). */
export function checkJwks(value: unknown): JSONWebKeySet {
  if (typeof value !== 'object' || value === null || !Array.isArray(Reflect.get(value, 'keys'))) {
    throw new JwksUnavailableError('not a JWK Set');
  }
  const keys = Reflect.get(value, 'keys') as unknown[];
  if (keys.length === 0 || keys.length > MAX_KEYS)
    throw new JwksUnavailableError('a JWK Set needs 1-20 keys');
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || Array.isArray(key))
      throw new JwksUnavailableError('bad JWK');
    const kty: unknown = Reflect.get(key, 'kty');
    if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP')
      throw new JwksUnavailableError('unsupported key type');
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].some((member) => member in key)) {
      throw new JwksUnavailableError('a JWK Set must hold public keys only');
    }
  }
  return { keys } as JSONWebKeySet;
}
