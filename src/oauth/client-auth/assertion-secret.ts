/**
 * client_secret_jwt (OIDC Core §9, RFC 7523) needs the client secret itself as the HMAC key, while client
 * secrets are otherwise stored only as SHA-256 hashes. For clients registered with client_secret_jwt or
 * with request_object_signing_alg HS256 (RFC 9101: the secret is the HMAC key of their request objects),
 * and only those, the secret is also kept sealed: AES-256-GCM under a key derived from
 * OAUTH2_KEY_ENCRYPTION_KEY, with `client-secret:<client_id>` as associated data, in the server-owned
 * `client_secret_sealed` field of the client's metadata (never shown in any client view).
 */
import type { Config } from '../../config';
import { decryptSecret, encryptSecret } from '../../crypto/key-encryption';
import type { ClientRecord, TokenEndpointAuthMethod } from '../../storage/ports';

export const SEALED_SECRET_FIELD = 'client_secret_sealed';

function context(clientId: string): string {
  return `client-secret:${clientId}`;
}

/**
 * `client` with `secret` sealed when it authenticates with client_secret_jwt (without a new secret, the
 * one already sealed stays), and without a sealed secret when it uses any other method.
 */
export async function withSealedSecret(
  config: Config,
  client: ClientRecord,
  secret: string | undefined,
): Promise<ClientRecord> {
  const { [SEALED_SECRET_FIELD]: _previous, ...metadata } = client.metadata;
  // RFC 9101: an HS256 request object is signed with the client secret too.
  const hmacKey =
    client.tokenEndpointAuthMethod === 'client_secret_jwt' || metadata.request_object_signing_alg === 'HS256';
  if (!hmacKey) return { ...client, metadata };
  if (secret === undefined) return client;
  const sealed = await encryptSecret(config.keyEncryptionKey, secret, context(client.clientId));
  return { ...client, metadata: { ...metadata, [SEALED_SECRET_FIELD]: sealed } };
}

/** The client's secret for client_secret_jwt; null when none is sealed or it cannot be opened. */
export async function unsealClientSecret(config: Config, client: ClientRecord): Promise<string | null> {
  const sealed = client.metadata[SEALED_SECRET_FIELD];
  if (typeof sealed !== 'string') return null;
  try {
    return await decryptSecret(config.keyEncryptionKey, sealed, context(client.clientId));
  } catch {
    return null;
  }
}

/** Whether a client registered with `method` gets a secret: not public clients, not private_key_jwt ones. */
export function issuesClientSecret(method: TokenEndpointAuthMethod): boolean {
  return method !== 'none' && method !== 'private_key_jwt';
}
