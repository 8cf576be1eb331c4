/**
 * Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3.1):
 * client_secret_basic (percent-decoded Basic credentials) or client_secret_post, one method per
 * request; secrets compared as SHA-256 digests in constant time. Every failure is the same
 * invalid_client (401 with a challenge), so responses do not reveal which part was wrong.
 */
import { constantTimeEqual, sha256 } from '../crypto/hash';
import type { ClientRecord } from '../storage/ports';
import { InvalidClientError, InvalidRequestError } from './errors';
import type { FormParams } from './form';
import type { ClientRegistry } from './ports';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string | undefined;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

/** Reads the credentials a request presents, without checking them. */
export function readClientCredentials(
  authorization: string | undefined,
  params: FormParams,
): ClientCredentials | null {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    if (bodySecret !== undefined)
      throw new InvalidRequestError('use one client authentication method, not two');
    const basic = parseBasic(authorization.slice(6).trim());
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new InvalidRequestError('client_id does not match the Authorization header');
    }
    return { ...basic, method: 'client_secret_basic' };
  }
  if (bodyId === undefined) return null;
  if (bodySecret !== undefined)
    return { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' };
  return { clientId: bodyId, clientSecret: undefined, method: 'none' };
}

function parseBasic(encoded: string): { clientId: string; clientSecret: string } {
  let decoded: string;
  try {
    decoded = atob(encoded);
  } catch {
    throw new InvalidClientError('malformed Basic credentials');
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClientError('malformed Basic credentials');
  try {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64.
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return { clientId, clientSecret };
  } catch {
    throw new InvalidClientError('malformed Basic credentials');
  }
}

/** A SHA-256 digest compared against when the client is unknown, so timing does not tell. */
const DUMMY_HASH = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * Authenticates a confidential client; returns its registration. Public clients (method `none`)
 * are refused here: endpoints that admit them check that separately.
 */
export async function authenticateClient(
  clients: ClientRegistry,
  credentials: ClientCredentials | null,
  now: number,
): Promise<ClientRecord> {
  if (!credentials || credentials.clientSecret === undefined) {
    throw new InvalidClientError('client authentication is required');
  }
  const client = await clients.get(credentials.clientId);
  const presented = await sha256(credentials.clientSecret);
  const expected = client?.clientSecretHash ?? DUMMY_HASH;
  const matches = constantTimeEqual(presented, expected);
  if (!client?.enabled || !matches || client.tokenEndpointAuthMethod === 'none') {
    throw new InvalidClientError('client authentication failed');
  }
  if (client.clientSecretExpiresAt !== 0 && client.clientSecretExpiresAt <= now) {
    throw new InvalidClientError('client secret has expired');
  }
  return client;
}

/**
 * Token endpoint client authentication: a confidential client authenticates with its secret; a public
 * client (registered with `none`) presents only its client_id and must not send a secret (RFC 6749
 * §2.3, §3.2.1). Whether the grant admits public clients is the grant's decision.
 */
export async function authenticateTokenClient(
  clients: ClientRegistry,
  credentials: ClientCredentials | null,
  now: number,
): Promise<ClientRecord> {
  if (credentials?.method !== 'none') return authenticateClient(clients, credentials, now);
  const client = await clients.get(credentials.clientId);
  if (!client?.enabled || client.tokenEndpointAuthMethod !== 'none') {
    throw new InvalidClientError('client authentication failed');
  }
  return client;
}
