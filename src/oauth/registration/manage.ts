/**
 * RFC 7592 client configuration endpoint: read (§2.1), update (§2.2) and delete (§2.3) a dynamically
 * registered client with its registration access token, compared as a SHA-256 digest in constant
 * time. A wrong token, an unknown client and a client not registered here all answer the same
 * 401 invalid_token, so the endpoint does not reveal which clients exist.
 */
import { constantTimeEqual, sha256 } from '../../crypto/hash';
import type { ClientRecord } from '../../storage/ports';
import { withSealedSecret } from '../client-auth/assertion-secret';
import {
  InvalidClientMetadataError,
  InvalidRequestError,
  InvalidTokenError,
  MissingBearerError,
} from '../errors';
import type { OAuthContext } from '../ports';
import { readBearer } from '../tokens/bearer';
import { clientAuditEntry, type RequestOrigin } from './audit';
import { type ClientInformation, clientInformation, withMetadata } from './client-information';
import { validateClientMetadata } from './metadata';

/** A SHA-256 digest compared against when the client is unknown, so timing does not tell. */
const DUMMY_HASH = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const MAX_CLIENT_ID_LENGTH = 255;

/** RFC 7592 §2.2: set by the server, never sent back by the client. */
const SERVER_ASSIGNED_FIELDS = [
  'registration_access_token',
  'registration_client_uri',
  'client_secret_expires_at',
  'client_id_issued_at',
];

/**
 * Server-set metadata (not RFC 7591, so never shown or replaced by an update): the client registered
 * itself, and its registration access token has since been revoked.
 */
const REVOKED_ACCESS_MARK = 'registration_access_revoked';

/**
 * `client` no longer manageable through this endpoint: its registration access token stops working
 * (GET, PUT and DELETE answer 401 invalid_token). Used when an administrator takes over a client's
 * trust, so the registrant cannot change what the administrator vouched for (e.g. point a first-party
 * client's redirect URIs elsewhere). A revoked token stays revoked: the ClientActor refuses to bring it back.
 */
export function withoutRegistrationAccess(client: ClientRecord): ClientRecord {
  if (client.registrationAccessTokenHash === null) return client;
  return {
    ...client,
    registrationAccessTokenHash: null,
    metadata: { ...client.metadata, [REVOKED_ACCESS_MARK]: true },
  };
}

/** Whether the client came through RFC 7591 registration (its registration access token may since be revoked). */
export function isDynamicallyRegistered(client: ClientRecord): boolean {
  return client.registrationAccessTokenHash !== null || client.metadata[REVOKED_ACCESS_MARK] === true;
}

/** A client proven to be managed by the presented registration access token. */
export interface ManagedClient {
  client: ClientRecord;
  registrationAccessToken: string;
}

/** Checks the registration access token of `clientId`; 401 invalid_token on any mismatch. */
export async function authenticateRegistration(
  ctx: OAuthContext,
  clientId: string,
  authorization: string | undefined,
): Promise<ManagedClient> {
  const token = readBearer(authorization);
  if (token === null) throw new MissingBearerError();
  const client = clientId.length <= MAX_CLIENT_ID_LENGTH ? await ctx.clients.get(clientId) : null;
  const matches = constantTimeEqual(await sha256(token), client?.registrationAccessTokenHash ?? DUMMY_HASH);
  if (
    !client ||
    !matches ||
    client.registrationAccessTokenHash === null ||
    client.metadata.bootstrap === true
  ) {
    throw new InvalidTokenError('the registration access token is invalid');
  }
  return { client, registrationAccessToken: token };
}

/** §2.1: the current registration; the secret is not returned (only its hash is kept). */
export function readRegistration(ctx: OAuthContext, managed: ManagedClient): ClientInformation {
  return clientInformation(ctx.issuer, managed.client, {
    registrationAccessToken: managed.registrationAccessToken,
  });
}

/**
 * §2.2: replaces the metadata (omitted fields return to their defaults). The credentials stay:
 * a client cannot pick its secret, and switching between public and confidential would create
 * or orphan one, so that needs a new registration.
 */
export async function updateRegistration(
  ctx: OAuthContext,
  managed: ManagedClient,
  document: Record<string, unknown>,
  origin: RequestOrigin,
): Promise<ClientInformation> {
  const { client } = managed;
  checkUpdateDocument(client.clientId, document);
  await checkPresentedSecret(client, document.client_secret);
  const metadata = validateClientMetadata(document, {
    outbound: ctx.config.outbound,
    scopes: ctx.config.scopes,
  });
  if ((metadata.tokenEndpointAuthMethod === 'none') !== (client.tokenEndpointAuthMethod === 'none')) {
    throw new InvalidClientMetadataError(
      'token_endpoint_auth_method: cannot switch between a public and a confidential client; register a new client',
    );
  }
  // client_secret_jwt needs the secret itself: sealed from the (verified) client_secret of the update.
  const presented = typeof document.client_secret === 'string' ? document.client_secret : undefined;
  const updated = await withSealedSecret(
    ctx.config,
    withMetadata(client, metadata, ctx.clock.nowSecs()),
    presented,
  );
  const audit = clientAuditEntry(ctx, 'client.update', client.clientId, client.clientId, origin, {
    grant_types: updated.grantTypes,
    scope: updated.scope,
  });
  if (!(await ctx.clients.replace(updated, audit)))
    throw new InvalidTokenError('the registration access token is invalid');
  return clientInformation(ctx.issuer, updated, {
    registrationAccessToken: managed.registrationAccessToken,
  });
}

/** §2.3: deletes the client; its id, secret and registration access token stop working at once. */
export async function deleteRegistration(
  ctx: OAuthContext,
  managed: ManagedClient,
  origin: RequestOrigin,
): Promise<void> {
  const { clientId } = managed.client;
  const audit = clientAuditEntry(ctx, 'client.delete', clientId, clientId, origin);
  if (!(await ctx.clients.remove(clientId, audit)))
    throw new InvalidTokenError('the registration access token is invalid');
  ctx.events.publish({ type: 'client_deleted', clientId, metadata: { deleted_by: clientId } });
}

function checkUpdateDocument(clientId: string, document: Record<string, unknown>): void {
  if (document.client_id === undefined) throw new InvalidRequestError('client_id: required in an update');
  if (document.client_id !== clientId) {
    throw new InvalidRequestError('client_id: does not match the client being updated');
  }
  const serverField = SERVER_ASSIGNED_FIELDS.find((field) => document[field] !== undefined);
  if (serverField) throw new InvalidRequestError(`${serverField}: is assigned by the server; do not send it`);
}

async function checkPresentedSecret(client: ClientRecord, secret: unknown): Promise<void> {
  if (secret === undefined || secret === null) return;
  const presented = typeof secret === 'string' ? await sha256(secret) : '';
  if (
    !constantTimeEqual(presented, client.clientSecretHash ?? DUMMY_HASH) ||
    client.clientSecretHash === null
  ) {
    throw new InvalidClientMetadataError('client_secret: does not match the current client secret');
  }
}
