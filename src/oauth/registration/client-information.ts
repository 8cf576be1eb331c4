/**
 * RFC 7591 §3.2.1 / RFC 7592 §3 client information response: the registered metadata plus the
 * credentials. Secrets are only ever known at the moment they are issued (stored as hashes), so
 * client_secret appears only in the response that created it.
 */
import { sha256 } from '../../crypto/hash';
import { randomId } from '../../crypto/random';
import type { ClientRecord } from '../../storage/ports';
import { type ClientMetadata, EXTRA_METADATA_FIELDS } from './metadata';

export interface ClientInformation {
  client_id: string;
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
  registration_access_token: string;
  registration_client_uri: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  scope: string;
  client_name?: string;
  [metadata: string]: unknown;
}

/** Credentials known for this response only. */
export interface IssuedCredentials {
  /** The plaintext secret, when it was issued by this request. */
  clientSecret?: string | undefined;
  /** The registration access token: just issued, or the one the request presented. */
  registrationAccessToken: string;
}

/** The configuration endpoint of a client (RFC 7592 §1.2). */
export function registrationClientUri(issuer: string, clientId: string): string {
  return `${issuer}/connect/register/${encodeURIComponent(clientId)}`;
}

export function clientInformation(
  issuer: string,
  client: ClientRecord,
  credentials: IssuedCredentials,
): ClientInformation {
  const response: ClientInformation = {
    client_id: client.clientId,
    client_id_issued_at: client.createdAt,
    registration_access_token: credentials.registrationAccessToken,
    registration_client_uri: registrationClientUri(issuer, client.clientId),
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scope: client.scope,
  };
  if (credentials.clientSecret !== undefined) response.client_secret = credentials.clientSecret;
  if (client.clientSecretHash !== null) response.client_secret_expires_at = client.clientSecretExpiresAt;
  if (client.clientName !== null) response.client_name = client.clientName;
  for (const field of EXTRA_METADATA_FIELDS) {
    if (client.metadata[field] !== undefined) response[field] = client.metadata[field];
  }
  return response;
}

/**
 * `client` with its RFC 7591 metadata replaced by `metadata`. Metadata keys this module does not
 * own (set by the server, e.g. `bootstrap`) are kept.
 */
export function withMetadata(client: ClientRecord, metadata: ClientMetadata, now: number): ClientRecord {
  const kept = Object.fromEntries(
    Object.entries(client.metadata).filter(
      ([key]) => !(EXTRA_METADATA_FIELDS as readonly string[]).includes(key),
    ),
  );
  return {
    ...client,
    ...metadataFields(metadata),
    metadata: { ...kept, ...metadata.metadata },
    updatedAt: now,
  };
}

/** What a client can register: its credentials and flags. */
export interface NewClientCredentials {
  /** The secret to hash (none for a public client). */
  clientSecret: string | undefined;
  /** The RFC 7592 registration access token to hash (none for a client an administrator creates). */
  registrationAccessToken: string | null;
  enabled: boolean;
  firstParty: boolean;
}

/** A new client's record with a fresh client_id: `metadata`, and the hashes of its credentials. */
export async function newClientRecord(
  now: number,
  metadata: ClientMetadata,
  credentials: NewClientCredentials,
): Promise<ClientRecord> {
  const { clientSecret, registrationAccessToken } = credentials;
  return {
    clientId: `client_${randomId()}`,
    clientSecretHash: clientSecret === undefined ? null : await sha256(clientSecret),
    clientSecretExpiresAt: 0,
    registrationAccessTokenHash:
      registrationAccessToken === null ? null : await sha256(registrationAccessToken),
    ...metadataFields(metadata),
    enabled: credentials.enabled,
    firstParty: credentials.firstParty,
    createdAt: now,
    updatedAt: now,
  };
}

/** The record's fields that registration sets, from validated metadata. */
function metadataFields(metadata: ClientMetadata) {
  return {
    clientName: metadata.clientName,
    redirectUris: metadata.redirectUris,
    grantTypes: metadata.grantTypes,
    responseTypes: metadata.responseTypes,
    scope: metadata.scope,
    tokenEndpointAuthMethod: metadata.tokenEndpointAuthMethod,
    metadata: metadata.metadata,
  };
}
