/**
 * RFC 7591 §3 client registration. The initial access token (§1.2) is a Bearer access token with
 * scope `admin`; without one, registration is open only when OAUTH2_DYNAMIC_REGISTRATION_ENABLED=true.
 * Either way only a public client may register a privileged scope, which it can only ask a user for
 * (metadata.ts). Secrets are returned once and stored as hashes.
 */
import { randomToken } from '../../crypto/random';
import { issuesClientSecret, withSealedSecret } from '../client-auth/assertion-secret';
import { MissingBearerError } from '../errors';
import type { OAuthContext } from '../ports';
import { readBearer, requireAccessToken } from '../tokens/bearer';
import { ANONYMOUS, clientAuditEntry, type RequestOrigin } from './audit';
import { type ClientInformation, clientInformation, newClientRecord } from './client-information';
import { validateClientMetadata } from './metadata';
import { markIfAnonymous } from './unused';

/** The scope an initial access token must carry. */
export const INITIAL_ACCESS_SCOPE = 'admin';

/**
 * Who may register: the client_id of the admin token presented, or ANONYMOUS when open
 * registration is enabled and no token was sent. A token that is sent must be valid and admin-scoped.
 */
export async function registrationActor(
  ctx: OAuthContext,
  authorization: string | undefined,
): Promise<string> {
  const token = readBearer(authorization);
  if (token === null) {
    if (ctx.config.dynamicRegistrationEnabled) return ANONYMOUS;
    throw new MissingBearerError();
  }
  return (await requireAccessToken(ctx, token, INITIAL_ACCESS_SCOPE)).clientId;
}

/** Registers a client from its metadata document; the 201 response body. */
export async function registerClient(
  ctx: OAuthContext,
  actor: string,
  document: Record<string, unknown>,
  origin: RequestOrigin,
): Promise<ClientInformation> {
  const metadata = validateClientMetadata(document, {
    outbound: ctx.config.outbound,
    scopes: ctx.config.scopes,
  });
  const clientSecret = issuesClientSecret(metadata.tokenEndpointAuthMethod) ? randomToken(32) : undefined;
  const registrationAccessToken = randomToken(32);
  const client = markIfAnonymous(
    await withSealedSecret(
      ctx.config,
      await newClientRecord(ctx.clock.nowSecs(), metadata, {
        clientSecret,
        registrationAccessToken,
        enabled: true,
        firstParty: false,
      }),
      clientSecret,
    ),
    actor,
  );
  // The client and its audit entry are written together or not at all.
  await ctx.clients.create(
    client,
    clientAuditEntry(ctx, 'client.register', actor, client.clientId, origin, {
      client_name: client.clientName,
      grant_types: client.grantTypes,
      scope: client.scope,
    }),
  );
  ctx.events.publish({
    type: 'client_registered',
    clientId: client.clientId,
    metadata: {
      registered_by: actor,
      client_name: client.clientName,
      grant_types: client.grantTypes,
      scope: client.scope,
      token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    },
  });
  return clientInformation(ctx.issuer, client, { clientSecret, registrationAccessToken });
}
