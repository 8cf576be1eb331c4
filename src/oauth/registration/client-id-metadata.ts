/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a `client_id` that
 * is an https URL names a JSON document, published by the client, holding its RFC 7591 metadata. The
 * server fetches it when it meets the client_id (authorization and token endpoints) instead of looking
 * the client up in storage. Only public clients (`token_endpoint_auth_method: none`) of the
 * authorization code grant; never scope admin. Enabled by OAUTH2_CLIENT_ID_METADATA_DOCUMENTS.
 *
 * SSRF guards: https only, default port or an explicit one, no IP literals of private, loopback,
 * link-local or otherwise reserved ranges, no single-label or local host names, no redirects, a
 * 5 KiB body cap read as a stream, a 3 s deadline. (A Worker cannot resolve names itself; on
 * Cloudflare a fetch never reaches the private networks of the deployment.)
 * Cache: per isolate, a found document for 5 minutes, a refused one for 1 minute, at most 500 URLs;
 * each request that misses loads for itself (no load is shared between requests).
 */

import { readCappedBytes } from '../../resilience/capped-body';
import type { ClientRecord } from '../../storage/ports';
import type { ClientRegistry } from '../ports';
import { validateClientMetadata } from './metadata';

export const MAX_DOCUMENT_BYTES = 5 * 1024;
const FETCH_TIMEOUT_MS = 3000;
const FOUND_TTL_SECS = 300;
const REFUSED_TTL_SECS = 60;
const MAX_CACHED = 500;
const MAX_URL_LENGTH = 2000;

/** Why `clientId` cannot be a client ID metadata document URL, or null when it can. */
export function clientIdUrlProblem(clientId: string): string | null {
  if (clientId.length > MAX_URL_LENGTH || !/^[\x21-\x7e]+$/.test(clientId)) return 'malformed';
  const url = URL.parse(clientId);
  if (url?.protocol !== 'https:') return 'not an https URL';
  if (url.href !== clientId) return 'not in normal form';
  if (url.username || url.password) return 'contains userinfo';
  if (url.hash || clientId.includes('#')) return 'contains a fragment';
  if (url.pathname === '/' || url.pathname === '') return 'has no path';
  if (/\/\.{1,2}(\/|$)/.test(url.pathname)) return 'contains dot segments';
  return hostProblem(url.hostname);
}

/** Host names and IP literals a metadata fetch must never reach. */
function hostProblem(host: string): string | null {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name.startsWith('[')) return ipv6Problem(name.slice(1, -1));
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (v4) return ipv4Problem(v4.slice(1).map(Number));
  if (!name.includes('.')) return 'single-label host';
  if (/(^|\.)(localhost|local|internal|localdomain|home\.arpa|invalid|test|example)$/.test(name)) {
    return 'local or reserved host name';
  }
  return null;
}

function ipv4Problem([a = 0, b = 0]: number[]): string | null {
  const reserved =
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224;
  return reserved ? 'not a public address' : null;
}

function ipv6Problem(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return ipv4Problem((mapped[1] as string).split('.').map(Number));
  // Only global unicast (2000::/3) is public.
  return /^[23][0-9a-f]{0,3}:/.test(address) && !address.startsWith('2001:db8')
    ? null
    : 'not a public address';
}

/** Reads at most `limit` bytes of the body; null when it is longer. */
async function readCapped(res: Response, limit: number): Promise<string | null> {
  const bytes = await readCappedBytes(res.body, res.headers.get('content-length'), limit);
  return bytes === null ? null : new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
}

/** The client the document at `url` describes, or null when it cannot be fetched or is not acceptable. */
export async function fetchClientMetadataDocument(
  url: string,
  now: number,
  fetcher: typeof fetch = fetch,
): Promise<ClientRecord | null> {
  if (clientIdUrlProblem(url) !== null) return null;
  try {
    const res = await fetcher(url, {
      headers: { Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      return null;
    }
    const text = await readCapped(res, MAX_DOCUMENT_BYTES);
    if (text === null) return null;
    const document: unknown = JSON.parse(text);
    return clientFromDocument(url, document, now);
  } catch {
    // Network failures, timeouts, invalid UTF-8 or JSON, invalid metadata: not a usable client.
    return null;
  }
}

/** The document's client: it must name itself, be public, use the code flow and hold no secret. */
function clientFromDocument(url: string, document: unknown, now: number): ClientRecord | null {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return null;
  const fields = document as Record<string, unknown>;
  if (fields.client_id !== url) return null;
  if ('client_secret' in fields || 'client_secret_expires_at' in fields) return null;
  const metadata = validateClientMetadata(fields);
  if (metadata.tokenEndpointAuthMethod !== 'none') return null;
  if (!metadata.grantTypes.includes('authorization_code')) return null;
  if (metadata.grantTypes.some((grant) => grant !== 'authorization_code' && grant !== 'refresh_token'))
    return null;
  return {
    clientId: url,
    clientSecretHash: null,
    clientSecretExpiresAt: 0,
    registrationAccessTokenHash: null,
    // The consent page shows the name: the document's host goes with it, since anyone can claim any name.
    clientName: metadata.clientName ? `${metadata.clientName} (${new URL(url).host})` : new URL(url).host,
    redirectUris: metadata.redirectUris,
    grantTypes: metadata.grantTypes,
    responseTypes: metadata.responseTypes,
    scope: metadata.scope,
    tokenEndpointAuthMethod: 'none',
    metadata: { ...metadata.metadata, client_id_metadata_document: true },
    enabled: true,
    firstParty: false,
    createdAt: now,
    updatedAt: now,
  };
}

interface CachedDocument {
  client: ClientRecord | null;
  until: number;
}

/**
 * `registry` that also knows clients by their metadata document URL. Other client_ids (and every write)
 * go to `registry`; a URL never reaches storage.
 */
export function withClientIdMetadataDocuments(
  registry: ClientRegistry,
  now: () => number,
  fetcher: typeof fetch = (input, init) => fetch(input, init),
): ClientRegistry {
  const cache = new Map<string, CachedDocument>();
  return {
    async get(clientId: string): Promise<ClientRecord | null> {
      if (!clientId.startsWith('https://')) return registry.get(clientId);
      const at = now();
      const cached = cache.get(clientId);
      if (cached && cached.until > at) return cached.client;
      const client = await fetchClientMetadataDocument(clientId, at, fetcher);
      cache.delete(clientId);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(clientId, { client, until: at + (client ? FOUND_TTL_SECS : REFUSED_TTL_SECS) });
      return client;
    },
    create: (client, audit) => registry.create(client, audit),
    replace: (client, audit) => registry.replace(client, audit),
    remove: (clientId, audit) => registry.remove(clientId, audit),
  };
}
