/**
 * A client's `jwks_uri` (RFC 7591 §2) for private_key_jwt (RFC 7523): fetched through src/outbound (the
 * URL policy, no redirects, a deadline, a size cap, the host's circuit breaker) and cached per isolate
 * with a TTL. The cache keeps resolved key sets only, never a pending fetch: a request that finds no fresh
 * entry fetches for itself (in workerd a promise waiting on another request's I/O never settles once that
 * request ends).
 */
import type { JSONWebKeySet } from 'jose';
import { OutboundError, outboundFetch } from '../../outbound/fetch';
import { type OutboundPolicy, outboundUrlProblem } from '../../outbound/policy';
import type { CircuitBreaker } from '../../resilience/circuit-breaker';
import type { ClientRecord } from '../../storage/ports';

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

/** The `target` of these fetches in metrics and circuit breakers. */
export const JWKS_URI_TARGET = 'jwks_uri';

export interface JwksOptions {
  /** What the running server may reach (config.outbound). */
  policy: OutboundPolicy;
  now: number;
  /** Fetch again unless the cached set is younger than JWKS_MIN_REFETCH_SECS (a `kid` was not found). */
  refresh?: boolean;
  /** The breaker of the host (per isolate); none when absent. */
  breaker?: ((host: string) => CircuitBreaker | undefined) | undefined;
  fetcher?: typeof fetch;
}

/** The key set at `uri`, from this isolate's cache when fresh. */
export async function remoteJwks(uri: string, options: JwksOptions): Promise<JSONWebKeySet> {
  const url = URL.parse(uri);
  if (!url) throw new JwksUnavailableError('jwks_uri is not a URL');
  const cached = cache.get(url.href);
  const age = cached ? options.now - cached.fetchedAt : Number.POSITIVE_INFINITY;
  if (cached && age < JWKS_CACHE_TTL_SECS && !(options.refresh && age >= JWKS_MIN_REFETCH_SECS)) {
    return cached.jwks;
  }
  const jwks = await fetchJwks(url, options);
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

async function fetchJwks(url: URL, options: JwksOptions): Promise<JSONWebKeySet> {
  let response: { status: number; body: Uint8Array };
  try {
    response = await outboundFetch(
      url.href,
      { headers: { Accept: 'application/json, application/jwk-set+json' } },
      {
        target: JWKS_URI_TARGET,
        policy: options.policy,
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBytes: MAX_JWKS_BYTES,
        breaker: options.breaker,
        fetch: options.fetcher,
      },
    );
  } catch (error) {
    if (error instanceof OutboundError) throw new JwksUnavailableError(`jwks_uri: ${error.message}`);
    throw error;
  }
  if (response.status !== 200) throw new JwksUnavailableError(`jwks_uri answered ${response.status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(response.body));
  } catch {
    throw new JwksUnavailableError('jwks_uri did not answer UTF-8 JSON');
  }
  return checkJwks(parsed);
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

/** A client's registered keys (`jwks` before `jwks_uri`), or null when it registered neither. */
export function registeredKeys(client: ClientRecord): { jwks: unknown } | { jwksUri: string } | null {
  const jwks = client.metadata.jwks;
  if (jwks !== undefined) return { jwks };
  const uri = client.metadata.jwks_uri;
  return typeof uri === 'string' ? { jwksUri: uri } : null;
}

/** Why the running server (its outbound `policy`) would not fetch the key set at `uri`, or null. */
export function jwksUriProblem(uri: string, policy: OutboundPolicy): string | null {
  return outboundUrlProblem(uri, policy);
}
