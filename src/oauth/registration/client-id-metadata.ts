/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a `client_id` that
 * is an https URL names a JSON document, published by the client, holding its RFC 7591 metadata. The
 * server fetches it when it meets the client_id (authorization and token endpoints) instead of looking
 * the client up in storage. Only public clients (`token_endpoint_auth_method: none`) of the
 * authorization code grant; scope admin only to ask a user for it, like any client that registered itself
 * (src/oauth/scopes/admin-scope.ts). Enabled by OAUTH2_CLIENT_ID_METADATA_DOCUMENTS.
 *
 * The URL: https under the outbound policy (src/outbound/policy.ts; never loopback, whatever the server
 * allows elsewhere: a client_id is a public identifier), in normal form, with a path, no fragment and no
 * dot segments. The fetch goes through src/outbound: no redirects, a 5 KiB body cap, a 3 s deadline and
 * the host's circuit breaker.
 * Cache: per isolate, a found document for 5 minutes, a refused one for 1 minute, at most 500 URLs;
 * each request that misses loads for itself (no load is shared between requests).
 */

import { outboundFetch } from '../../outbound/fetch';
import { type OutboundPolicy, outboundUrlProblem } from '../../outbound/policy';
import type { CircuitBreaker } from '../../resilience/circuit-breaker';
import type { ClientRecord } from '../../storage/ports';
import type { ClientRegistry } from '../ports';
import { BUILT_IN_REGISTRY, type ScopeRegistry } from '../scopes/registry';
import { validateClientMetadata } from './metadata';

export const MAX_DOCUMENT_BYTES = 5 * 1024;
/** The `target` of these fetches in metrics and circuit breakers. */
export const CLIENT_METADATA_TARGET = 'client_metadata';
const FETCH_TIMEOUT_MS = 3000;
const FOUND_TTL_SECS = 300;
const REFUSED_TTL_SECS = 60;
const MAX_CACHED = 500;
const MAX_URL_LENGTH = 2000;
const PUBLIC_ONLY: OutboundPolicy = { allowLoopback: false };

/** Why `clientId` cannot be a client ID metadata document URL, or null when it can. */
export function clientIdUrlProblem(clientId: string): string | null {
  if (clientId.length > MAX_URL_LENGTH || !/^[\x21-\x7e]+$/.test(clientId)) return 'malformed';
  const url = URL.parse(clientId);
  if (url?.protocol !== 'https:') return 'not an https URL';
  if (url.href !== clientId) return 'not in normal form';
  if (url.hash || clientId.includes('#')) return 'contains a fragment';
  if (url.pathname === '/' || url.pathname === '') return 'has no path';
  if (/\/\.{1,2}(\/|$)/.test(url.pathname)) return 'contains dot segments';
  return outboundUrlProblem(clientId, PUBLIC_ONLY);
}

/** How documents are fetched: the isolate's breakers (none: no breaker), a fetch (tests). */
export interface DocumentFetchOptions {
  breaker?: ((host: string) => CircuitBreaker) | undefined;
  fetch?: typeof fetch | undefined;
  /** The scopes this server knows (config.scopes); the built-in ones when not given. */
  scopes?: ScopeRegistry | undefined;
}

/** The client the document at `url` describes, or null when it cannot be fetched or is not acceptable. */
export async function fetchClientMetadataDocument(
  url: string,
  now: number,
  options: DocumentFetchOptions = {},
): Promise<ClientRecord | null> {
  if (clientIdUrlProblem(url) !== null) return null;
  try {
    const res = await outboundFetch(
      url,
      { headers: { Accept: 'application/json' } },
      {
        target: CLIENT_METADATA_TARGET,
        policy: PUBLIC_ONLY,
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBytes: MAX_DOCUMENT_BYTES,
        breaker: options.breaker,
        fetch: options.fetch,
      },
    );
    if (res.status !== 200) return null;
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(res.body);
    const document: unknown = JSON.parse(text);
    return clientFromDocument(url, document, now, options.scopes ?? BUILT_IN_REGISTRY);
  } catch {
    // Not fetched, not answered, invalid UTF-8 or JSON, invalid metadata: not a usable client.
    return null;
  }
}

/** The document's client: it must name itself, be public, use the code flow and hold no secret. */
function clientFromDocument(
  url: string,
  document: unknown,
  now: number,
  scopes: ScopeRegistry,
): ClientRecord | null {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return null;
  const fields = document as Record<string, unknown>;
  if (fields.client_id !== url) return null;
  if ('client_secret' in fields || 'client_secret_expires_at' in fields) return null;
  const metadata = validateClientMetadata(fields, { outbound: PUBLIC_ONLY, scopes });
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
  options: DocumentFetchOptions = {},
): ClientRegistry {
  const cache = new Map<string, CachedDocument>();
  return {
    async get(clientId: string): Promise<ClientRecord | null> {
      if (!clientId.startsWith('https://')) return registry.get(clientId);
      const at = now();
      const cached = cache.get(clientId);
      if (cached && cached.until > at) return cached.client;
      const client = await fetchClientMetadataDocument(clientId, at, options);
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
