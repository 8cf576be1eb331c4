/** POST /connect/register and GET/PUT/DELETE /connect/register/{client_id} (RFC 7591 / RFC 7592). */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { MethodNotAllowedError } from '../../src/oauth/errors';
import {
  authenticateRegistration,
  deleteRegistration,
  REGISTRABLE_AUTH_METHODS,
  REGISTRABLE_GRANT_TYPES,
  type RequestOrigin,
  readRegistration,
  registerClient,
  registrationActor,
  updateRegistration,
} from '../../src/oauth/registration';
import { INTROSPECTION_SIGNING_ALGS } from '../../src/oauth/tokens/introspection';
import type { AppEnv } from '../context';
import { readJsonObject } from '../middleware/body';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { answer, handParsedBody, OAuthErrorSchema, registerBodySchema } from './schemas';

const REGISTER_PATH = '/connect/register';

const metadataFields = {
  redirect_uris: z
    .array(z.string())
    .max(20)
    .optional()
    .openapi({
      description:
        'Absolute, no fragment or userinfo; https, http on loopback (127.0.0.1, [::1], localhost), or a reverse-domain private-use scheme (RFC 8252 §7.1). Required with authorization_code.',
      example: ['https://app.example.com/callback'],
    }),
  grant_types: z
    .array(z.enum(REGISTRABLE_GRANT_TYPES))
    .optional()
    .openapi({ description: 'Default ["authorization_code"]' }),
  response_types: z
    .array(z.enum(['code']))
    .optional()
    .openapi({ description: 'Default ["code"] with authorization_code, else []' }),
  token_endpoint_auth_method: z.enum(REGISTRABLE_AUTH_METHODS).optional().openapi({
    description:
      'Default client_secret_basic; none = public client (no client_credentials); client_secret_jwt and private_key_jwt per RFC 7523',
  }),
  token_endpoint_auth_signing_alg: z
    .string()
    .optional()
    .openapi({ description: 'the alg of the client assertions (RFC 7523)' }),
  scope: z.string().optional().openapi({
    description: 'Space-separated subset of scopes_supported; never admin. Default "read"',
    example: 'read write',
  }),
  client_name: z.string().max(500).optional(),
  client_uri: z.url().optional().openapi({ description: 'https' }),
  logo_uri: z.url().optional().openapi({ description: 'https' }),
  policy_uri: z.url().optional().openapi({ description: 'https' }),
  tos_uri: z.url().optional().openapi({ description: 'https' }),
  jwks_uri: z.url().optional().openapi({ description: 'https' }),
  jwks: z
    .object({ keys: z.array(z.record(z.string(), z.unknown())) })
    .optional()
    .openapi({ description: "the client's public keys by value (instead of jwks_uri)" }),
  dpop_bound_access_tokens: z
    .boolean()
    .optional()
    .openapi({ description: 'RFC 9449 §5.2: every token request must carry a DPoP proof' }),
  post_logout_redirect_uris: z
    .array(z.string())
    .optional()
    .openapi({ description: 'OIDC RP-Initiated Logout: where /oauth/logout may send the browser' }),
  id_token_signed_response_alg: z
    .enum(['RS256', 'ES256'])
    .optional()
    .openapi({ description: 'Default RS256' }),
  backchannel_logout_uri: z.string().optional().openapi({ description: 'OIDC Back-Channel Logout 1.0' }),
  backchannel_logout_session_required: z.boolean().optional(),
  frontchannel_logout_uri: z
    .string()
    .optional()
    .openapi({ description: 'OIDC Front-Channel Logout 1.0: same scheme, host and port as a redirect URI' }),
  frontchannel_logout_session_required: z.boolean().optional(),
  request_object_signing_alg: z
    .string()
    .optional()
    .openapi({ description: "RFC 9101: the only alg accepted for this client's request objects" }),
  require_signed_request_object: z
    .boolean()
    .optional()
    .openapi({ description: 'RFC 9101 §10.5: every authorization request must be a signed request object' }),
  require_pushed_authorization_requests: z
    .boolean()
    .optional()
    .openapi({ description: 'RFC 9126 §6: every authorization request must be pushed' }),
  introspection_signed_response_alg: z.enum(INTROSPECTION_SIGNING_ALGS).optional().openapi({
    description:
      'RFC 9701 §6: introspection responses to this client are JWTs signed with this alg (default RS256, when asked by Accept)',
  }),
  default_acr_values: z
    .array(z.string())
    .max(10)
    .optional()
    .openapi({ description: 'OIDC Registration §2: acr values asked for when a request names none' }),
  require_mfa: z
    .boolean()
    .optional()
    .openapi({ description: 'every sign-in for this client must be multi-factor (docs/mfa.md)' }),
  contacts: z.array(z.string()).max(10).optional(),
  software_id: z.string().max(500).optional(),
  software_version: z.string().max(500).optional(),
};

/** The document's view of the metadata registration reads (a test keeps the two field lists equal). */
export const ClientMetadataSchema = z.object(metadataFields).openapi('ClientMetadata');

const ClientUpdateSchema = z
  .object({
    client_id: z.string().openapi({ description: 'Must equal the client_id in the path' }),
    client_secret: z.string().optional().openapi({ description: 'When sent, must be the current secret' }),
    ...metadataFields,
  })
  .openapi('ClientUpdate');

const ClientInformationSchema = z
  .object({
    client_id: z.string(),
    client_secret: z
      .string()
      .optional()
      .openapi({ description: 'Confidential clients, at registration only' }),
    client_id_issued_at: z.number().int(),
    client_secret_expires_at: z.number().int().optional().openapi({ description: '0: never' }),
    registration_access_token: z.string(),
    registration_client_uri: z.url(),
    ...metadataFields,
  })
  .openapi('ClientInformation');

const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: OAuthErrorSchema } },
});

const ClientIdParam = z.object({
  client_id: z.string().openapi({ param: { name: 'client_id', in: 'path' }, example: 'client_abc' }),
});

const managementErrors = {
  401: jsonError('Missing or wrong registration access token, or no such client (invalid_token)'),
  503: jsonError('Misconfigured or unavailable'),
} as const;

export const registerRoute = createRoute({
  method: 'post',
  path: REGISTER_PATH,
  tags: ['Client Registration'],
  summary: 'Dynamic client registration (RFC 7591)',
  description:
    'Initial access token: a Bearer access token with scope admin. Without one only when OAUTH2_DYNAMIC_REGISTRATION_ENABLED=true. Unknown metadata fields are ignored.',
  security: [{ bearer: [] }, {}],
  request: {
    // Read after the initial access token is checked; RFC 7591 errors (invalid_client_metadata, ...).
    body: handParsedBody('ClientMetadata', 'application/json'),
  },
  responses: {
    201: {
      description: 'Registered; client_secret and registration_access_token are shown only here',
      content: { 'application/json': { schema: ClientInformationSchema } },
    },
    400: jsonError('invalid_client_metadata, invalid_redirect_uri or invalid_request'),
    401: jsonError('No initial access token (registration is not open), or an invalid one'),
    403: jsonError('The token lacks scope admin (insufficient_scope)'),
    413: jsonError('Body larger than 64 KiB'),
    503: jsonError('Misconfigured or unavailable'),
  },
});

export const readClientRoute = createRoute({
  method: 'get',
  path: `${REGISTER_PATH}/{client_id}`,
  tags: ['Client Registration'],
  summary: 'Read a registration (RFC 7592 §2.1)',
  description: 'Bearer: the registration access token. The client secret is not returned.',
  security: [{ bearer: [] }],
  request: { params: ClientIdParam },
  responses: {
    200: {
      description: 'Current metadata',
      content: { 'application/json': { schema: ClientInformationSchema } },
    },
    ...managementErrors,
  },
});

export const updateClientRoute = createRoute({
  method: 'put',
  path: `${REGISTER_PATH}/{client_id}`,
  tags: ['Client Registration'],
  summary: 'Replace a registration (RFC 7592 §2.2)',
  description:
    'Omitted fields return to their defaults. Must not contain registration_access_token, registration_client_uri, client_secret_expires_at or client_id_issued_at.',
  security: [{ bearer: [] }],
  request: {
    params: ClientIdParam,
    // Read after the registration access token is checked; RFC 7591 errors.
    body: handParsedBody('ClientUpdate', 'application/json'),
  },
  responses: {
    200: {
      description: 'Updated metadata',
      content: { 'application/json': { schema: ClientInformationSchema } },
    },
    400: jsonError('invalid_client_metadata, invalid_redirect_uri or invalid_request'),
    ...managementErrors,
  },
});

export const deleteClientRoute = createRoute({
  method: 'delete',
  path: `${REGISTER_PATH}/{client_id}`,
  tags: ['Client Registration'],
  summary: 'Delete a registration (RFC 7592 §2.3)',
  security: [{ bearer: [] }],
  request: { params: ClientIdParam },
  responses: { 204: { description: 'Deleted' }, ...managementErrors },
});

const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function requestOrigin(c: Context<AppEnv>): RequestOrigin {
  return { ip: c.req.header('cf-connecting-ip') ?? null, userAgent: c.req.header('user-agent') ?? null };
}

export function registerRegistrationRoutes(app: OpenAPIHono<AppEnv>): void {
  registerBodySchema(app, 'ClientMetadata', ClientMetadataSchema);
  registerBodySchema(app, 'ClientUpdate', ClientUpdateSchema);
  app.openapi(registerRoute, async (c) => {
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const actor = await registrationActor(ctx, c.req.header('authorization'));
    const document = await readJsonObject(c.req.raw);
    return answer(c.json(await registerClient(ctx, actor, document, requestOrigin(c)), 201, noStore));
  });

  const managed = async (c: Context<AppEnv>) => {
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const clientId = c.req.param('client_id') ?? '';
    return { ctx, client: await authenticateRegistration(ctx, clientId, c.req.header('authorization')) };
  };

  app.openapi(readClientRoute, async (c) => {
    const { ctx, client } = await managed(c);
    return answer(c.json(readRegistration(ctx, client), 200, noStore));
  });

  app.openapi(updateClientRoute, async (c) => {
    const { ctx, client } = await managed(c);
    const document = await readJsonObject(c.req.raw);
    return answer(c.json(await updateRegistration(ctx, client, document, requestOrigin(c)), 200, noStore));
  });

  app.openapi(deleteClientRoute, async (c) => {
    const { ctx, client } = await managed(c);
    await deleteRegistration(ctx, client, requestOrigin(c));
    return answer(c.body(null, 204, noStore));
  });

  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], REGISTER_PATH, () => {
    throw new MethodNotAllowedError('POST');
  });
  app.on(['POST', 'PATCH'], `${REGISTER_PATH}/:client_id`, () => {
    throw new MethodNotAllowedError('GET, PUT, DELETE');
  });
}
