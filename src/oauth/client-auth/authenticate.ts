/**
 * Client authentication at the token, introspection, revocation, PAR and device endpoints (RFC 6749
 * §2.3.1): client_secret_basic (percent-decoded Basic credentials), client_secret_post, or a JWT
 * assertion (RFC 7523 §2.2: private_key_jwt, client_secret_jwt; see client-assertion.ts), one method
 * per request, and only the one the client registered as `token_endpoint_auth_method` (RFC 7591 §2):
 * a secret that opens one method never opens another. Secrets compared as SHA-256 digests in constant
 * time. Every failure is the same invalid_client (401 with a challenge), so responses do not reveal
 * which part was wrong.
 */
import { constantTimeEqual, sha256 } from '../../crypto/hash';
import type { ClientRecord } from '../../storage/ports';
import { InvalidClientError, InvalidRequestError } from '../errors';
import type { FormParams } from '../form';
import type { OAuthContext } from '../ports';
import { assertionClientId, JWT_BEARER_ASSERTION_TYPE, verifyClientAssertion } from './assertion';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string | undefined;
  method: 'client_secret_basic' | 'client_secret_post' | 'none' | 'client_assertion';
  /** The RFC 7523 client assertion (method `client_assertion`). */
  assertion?: string | undefined;
}

/** RFC 7521 §4.2: both assertion parameters or neither; the assertion names its client (`iss` = `sub`). */
function readAssertion(authorization: string | undefined, params: FormParams): ClientCredentials | null {
  const type = params.get('client_assertion_type');
  const assertion = params.get('client_assertion');
  if (type === undefined && assertion === undefined) return null;
  if (type === undefined || assertion === undefined) {
    throw new InvalidRequestError('client_assertion and client_assertion_type go together');
  }
  if (type !== JWT_BEARER_ASSERTION_TYPE) throw new InvalidClientError('unsupported client_assertion_type');
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    throw new InvalidRequestError('use one client authentication method, not two');
  }
  if (params.has('client_secret'))
    throw new InvalidRequestError('use one client authentication method, not two');
  const clientId = assertionClientId(assertion);
  const bodyId = params.get('client_id');
  if (bodyId !== undefined && bodyId !== clientId) {
    throw new InvalidClientError('client_id does not match the client assertion');
  }
  return { clientId, clientSecret: undefined, method: 'client_assertion', assertion };
}

/** Reads the credentials a request presents, without checking them. */
export function readClientCredentials(
  authorization: string | undefined,
  params: FormParams,
): ClientCredentials | null {
  const assertion = readAssertion(authorization, params);
  if (assertion) return assertion;
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
 * Authenticates a confidential client with its registered method; returns its registration. Public
 * clients (method `none`) are refused here: endpoints that admit them check that separately.
 */
export async function authenticateClient(
  ctx: OAuthContext,
  credentials: ClientCredentials | null,
): Promise<ClientRecord> {
  if (credentials?.method === 'client_assertion') return authenticateAssertion(ctx, credentials);
  if (!credentials || credentials.clientSecret === undefined) {
    throw new InvalidClientError('client authentication is required');
  }
  const client = await ctx.clients.get(credentials.clientId);
  const presented = await sha256(credentials.clientSecret);
  const expected = client?.clientSecretHash ?? DUMMY_HASH;
  const matches = constantTimeEqual(presented, expected);
  if (!client?.enabled || !matches || client.tokenEndpointAuthMethod !== credentials.method) {
    throw new InvalidClientError('client authentication failed');
  }
  if (client.clientSecretExpiresAt !== 0 && client.clientSecretExpiresAt <= ctx.clock.nowSecs()) {
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
  ctx: OAuthContext,
  credentials: ClientCredentials | null,
): Promise<ClientRecord> {
  if (credentials?.method !== 'none') return authenticateClient(ctx, credentials);
  const client = await ctx.clients.get(credentials.clientId);
  if (!client?.enabled || client.tokenEndpointAuthMethod !== 'none') {
    throw new InvalidClientError('client authentication failed');
  }
  return client;
}

/** RFC 7523 §3: the assertion's client, when the assertion verifies for it. */
async function authenticateAssertion(
  ctx: OAuthContext,
  credentials: ClientCredentials,
): Promise<ClientRecord> {
  if (credentials.assertion === undefined) throw new InvalidClientError('client authentication failed');
  const client = await ctx.clients.get(credentials.clientId);
  if (!client?.enabled) throw new InvalidClientError('client authentication failed');
  await verifyClientAssertion(ctx, client, credentials.assertion);
  return client;
}
