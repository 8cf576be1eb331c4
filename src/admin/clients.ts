/**
 * Client management for administrators: list and search, create (RFC 7591 field names plus `first_party`
 * and `enabled`; the secret is answered once), read, update (merge: fields sent replace the current
 * ones, `null` returns a field to its default), delete, and secret rotation. Every write goes through
 * the ClientRegistry, i.e. the client's ClientActor, so the per-isolate caches stay right. The bootstrap
 * admin client is defined by configuration: it can be read here, never changed.
 */
import { sha256 } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { issuesClientSecret, withSealedSecret } from '../oauth/client-auth/assertion-secret';
import { bootstrapAdminClient } from '../oauth/client-registry';
import { AccessDeniedError, InvalidRequestError, NotFoundError, OAuthError } from '../oauth/errors';
import { type ClientMetadata, validateClientMetadata } from '../oauth/registration';
import { newClientRecord, withMetadata } from '../oauth/registration/client-information';
import { withoutRegistrationAccess } from '../oauth/registration/manage';
import { EXTRA_METADATA_FIELDS } from '../oauth/registration/metadata';
import type { ClientRecord } from '../storage/ports';
import { announceAudit, auditEntry } from './audit';
import {
  ClientFlagsSchema,
  type ClientSecret,
  type ClientView,
  type ClientWithSecret,
  clientView,
} from './client-schemas';
import type { AdminContext } from './context';
import { type PageView, pageOf, parseSearchQuery, type Query } from './paging';
import { parseInput } from './validation';

/** The RFC 7591 fields an administrator may set (the rest of a body is ignored, as RFC 7591 §2 says). */
const METADATA_FIELDS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'scope',
  'client_name',
  ...EXTRA_METADATA_FIELDS,
] as const;

/** Clients, newest first; `q` searches client_id and client_name (case-insensitive substring). */
export function listClients(ctx: AdminContext, query: Query): Promise<PageView<ClientView>> {
  return pageOf(() => ctx.storage.clients.list(parseSearchQuery(query)), clientView);
}

/** One client (the bootstrap admin client too); 404 not_found when unknown. */
export async function getClient(ctx: AdminContext, clientId: string): Promise<ClientView> {
  if (clientId === ctx.config.adminClient?.clientId) {
    const bootstrap = await bootstrapAdminClient(ctx.config);
    if (bootstrap) return clientView(bootstrap);
  }
  return clientView(await storedClient(ctx, clientId));
}

/** Creates a client; 201 body with `client_secret` for a confidential client (shown this once). */
export async function createClient(ctx: AdminContext, body: unknown): Promise<ClientWithSecret> {
  const flags = parseInput(ClientFlagsSchema, body);
  const metadata = validMetadata(ctx, body as Record<string, unknown>);
  const clientSecret = issuesClientSecret(metadata.tokenEndpointAuthMethod) ? randomToken(32) : undefined;
  const record = await newClientRecord(ctx.clock.nowSecs(), metadata, {
    clientSecret,
    registrationAccessToken: null,
    enabled: flags.enabled ?? true,
    firstParty: flags.first_party ?? false,
  });
  // client_secret_jwt needs the secret itself as its HMAC key: kept sealed (src/oauth/client-auth/authenticate/assertion-secret.ts).
  const client = await withSealedSecret(ctx.config, record, clientSecret);
  // The client and its audit entry are written together or not at all (Storage.atomically in the actor).
  const audit = auditEntry(ctx, 'client.create', { kind: 'client', id: client.clientId }, summary(client));
  await ctx.clients.create(client, audit);
  await announceAudit(ctx, audit);
  return withSecret(clientView(client), clientSecret);
}

/**
 * Updates a client: RFC 7591 fields sent replace the current values, `null` returns one to its default,
 * `enabled` and `first_party` switch. A change of first_party, scope or enabled revokes the registration
 * access token of a client that registered itself (RFC 7592 management ends). Disabling takes effect at
 * once in this isolate and within the client cache TTL (10 s) elsewhere; its tokens then introspect inactive.
 */
export async function updateClient(
  ctx: AdminContext,
  clientId: string,
  body: unknown,
): Promise<ClientWithSecret> {
  const flags = parseInput(ClientFlagsSchema, body);
  const input = body as Record<string, unknown>;
  if (input.client_id !== undefined && input.client_id !== clientId) {
    throw new InvalidRequestError('invalid client_id: does not match the client being updated');
  }
  if (input.client_secret !== undefined) {
    throw new InvalidRequestError(
      'invalid client_secret: rotate it with POST /admin/api/clients/{client_id}/secret',
    );
  }
  const current = await writableClient(ctx, clientId);
  const metadata = validMetadata(ctx, mergedDocument(current, input));
  const edited: ClientRecord = {
    ...withMetadata(current, metadata, ctx.clock.nowSecs()),
    enabled: flags.enabled ?? current.enabled,
    firstParty: flags.first_party ?? current.firstParty,
  };
  // What an administrator vouched for is theirs alone: the registrant loses RFC 7592 management.
  const revokesRegistration = current.registrationAccessTokenHash !== null && trustChanged(current, edited);
  const updated = revokesRegistration ? withoutRegistrationAccess(edited) : edited;
  const clientSecret = await switchCredentials(current, updated);
  const audit = auditEntry(
    ctx,
    'client.update',
    { kind: 'client', id: clientId },
    {
      ...summary(updated),
      fields: Object.keys(input).filter((key) => key !== 'client_id'),
      ...(revokesRegistration ? { registration_access_revoked: true } : {}),
    },
  );
  if (!(await ctx.clients.replace(updated, audit))) throw new NotFoundError('no such client');
  await announceAudit(ctx, audit);
  return withSecret(clientView(updated), clientSecret);
}

/** Deletes a client: its id and secret stop working at once here (within 10 s elsewhere); its tokens go inactive. */
export async function deleteClient(ctx: AdminContext, clientId: string): Promise<void> {
  const current = await writableClient(ctx, clientId);
  const audit = auditEntry(
    ctx,
    'client.delete',
    { kind: 'client', id: clientId },
    { client_name: current.clientName },
  );
  if (!(await ctx.clients.remove(clientId, audit))) throw new NotFoundError('no such client');
  await announceAudit(ctx, audit);
}

/** Issues a new secret (shown once); the old one stops working at once here, within 10 s elsewhere. */
export async function rotateClientSecret(ctx: AdminContext, clientId: string): Promise<ClientSecret> {
  const current = await writableClient(ctx, clientId);
  if (!issuesClientSecret(current.tokenEndpointAuthMethod)) {
    throw new InvalidRequestError(
      current.tokenEndpointAuthMethod === 'none'
        ? 'this client is public (token_endpoint_auth_method none) and has no secret'
        : 'this client authenticates with private_key_jwt and has no secret',
    );
  }
  const clientSecret = randomToken(32);
  const updated = await withSealedSecret(
    ctx.config,
    {
      ...current,
      clientSecretHash: await sha256(clientSecret),
      clientSecretExpiresAt: 0,
      updatedAt: ctx.clock.nowSecs(),
    },
    clientSecret,
  );
  const audit = auditEntry(ctx, 'client.secret.rotate', { kind: 'client', id: clientId });
  if (!(await ctx.clients.replace(updated, audit))) throw new NotFoundError('no such client');
  await announceAudit(ctx, audit);
  return { client_id: clientId, client_secret: clientSecret, client_secret_expires_at: 0 };
}

async function storedClient(ctx: AdminContext, clientId: string): Promise<ClientRecord> {
  const client = clientId.length <= 255 ? await ctx.storage.clients.get(clientId) : null;
  if (!client) throw new NotFoundError('no such client');
  return client;
}

async function writableClient(ctx: AdminContext, clientId: string): Promise<ClientRecord> {
  if (clientId === ctx.config.adminClient?.clientId) {
    throw new AccessDeniedError(
      'the bootstrap admin client is defined by configuration (OAUTH2_ADMIN_CLIENT_*) and cannot be changed here',
    );
  }
  return storedClient(ctx, clientId);
}

/** Metadata validation with the admin API's error: invalid_request naming the field. */
function validMetadata(ctx: AdminContext, document: Record<string, unknown>): ClientMetadata {
  try {
    return validateClientMetadata(document, {
      allowPrivileged: true,
      outbound: ctx.config.outbound,
      scopes: ctx.config.scopes,
    });
  } catch (error) {
    if (error instanceof OAuthError && error.status === 400)
      throw new InvalidRequestError(`invalid ${error.message}`);
    throw error;
  }
}

/** The current metadata as an RFC 7591 document, with the fields of `input` applied over it. */
function mergedDocument(current: ClientRecord, input: Record<string, unknown>): Record<string, unknown> {
  const document: Record<string, unknown> = {
    redirect_uris: current.redirectUris,
    grant_types: current.grantTypes,
    response_types: current.responseTypes,
    token_endpoint_auth_method: current.tokenEndpointAuthMethod,
    scope: current.scope,
    client_name: current.clientName,
  };
  for (const field of EXTRA_METADATA_FIELDS) document[field] = current.metadata[field];
  // New grant types without response types: derive these from the grants, not from the old value.
  if (input.grant_types !== undefined && input.response_types === undefined) delete document.response_types;
  for (const field of METADATA_FIELDS) {
    if (input[field] === undefined) continue;
    if (input[field] === null) delete document[field];
    else document[field] = input[field];
  }
  return document;
}

/** Whether an update changes what the client is trusted with: first-party status, its scopes, or being enabled. */
function trustChanged(current: ClientRecord, updated: ClientRecord): boolean {
  const scopes = (client: ClientRecord) =>
    [...new Set(client.scope.split(' ').filter(Boolean))].sort().join(' ');
  return (
    current.firstParty !== updated.firstParty ||
    current.enabled !== updated.enabled ||
    scopes(current) !== scopes(updated)
  );
}

/** A public client loses its secret; a client made confidential gets one (answered once). */
async function switchCredentials(current: ClientRecord, updated: ClientRecord): Promise<string | undefined> {
  const wasPublic = current.tokenEndpointAuthMethod === 'none';
  const isPublic = updated.tokenEndpointAuthMethod === 'none';
  if (isPublic) {
    updated.clientSecretHash = null;
    return undefined;
  }
  if (!wasPublic) return undefined;
  const secret = randomToken(32);
  updated.clientSecretHash = await sha256(secret);
  updated.clientSecretExpiresAt = 0;
  return secret;
}

function withSecret(view: ClientView, clientSecret: string | undefined): ClientWithSecret {
  return clientSecret === undefined ? view : { ...view, client_secret: clientSecret };
}

function summary(client: ClientRecord): Record<string, unknown> {
  return {
    client_name: client.clientName,
    grant_types: client.grantTypes,
    scope: client.scope,
    first_party: client.firstParty,
    enabled: client.enabled,
  };
}
