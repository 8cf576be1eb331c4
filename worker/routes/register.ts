/** POST /connect/register and GET/PUT/DELETE /connect/register/{client_id} (RFC 7591 / RFC 7592). */
import { createRoute, type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
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
import {
  answer,
  handParsedBody,
  jsonError,
  jsonResponse,
  optionalField,
  optionalText,
  registerBodySchema,
} from './schemas';

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
  token_endpoint_auth_method: optionalField(
    z.enum(REGISTRABLE_AUTH_METHODS),
    'Default client_secret_basic; none = public client (no client_credentials); client_secret_jwt and private_key_jwt per RFC 7523',
  ),
  token_endpoint_auth_signing_alg: optionalText('the alg of the client assertions (RFC 7523)'),
  scope: z.string().optional().openapi({
    description: 'Space-separated subset of scopes_supported; never admin. Default "read"',
    example: 'read write',
  }),
  client_name: z.string().max(500).optional(),
  client_uri: optionalField(z.url(), 'https'),
  logo_uri: optionalField(z.url(), 'https'),
  policy_uri: optionalField(z.url(), 'https'),
  tos_uri: optionalField(z.url(), 'https'),
  jwks_uri: optionalField(z.url(), 'https'),
  jwks: z
    .object({ keys: z.array(z.record(z.string(), z.unknown())) })
    .optional()
    .openapi({ description: "the client's public keys by value (instead of jwks_uri)" }),
  dpop_bound_access_tokens: optionalField(
    z.boolean(),
    'RFC 9449 §5.2: every token request must carry a DPoP proof',
  ),
  post_logout_redirect_uris: optionalField(
    z.array(z.string()),
    'OIDC RP-Initiated Logout: where /oauth/logout may send the browser',
  ),
  id_token_signed_response_alg: optionalField(z.enum(['RS256', 'ES256']), 'Default RS256'),
  backchannel_logout_uri: optionalText('OIDC Back-Channel Logout 1.0'),
  backchannel_logout_session_required: z.boolean().optional(),
  frontchannel_logout_uri: optionalText(
    'OIDC Front-Channel Logout 1.0: same scheme, host and port as a redirect URI',
  ),
  frontchannel_logout_session_required: z.boolean().optional(),
  request_object_signing_alg: optionalText(
    "RFC 9101: the only alg accepted for this client's request objects",
  ),
  require_signed_request_object: optionalField(
    z.boolean(),
    'RFC 9101 §10.5: every authorization request must be a signed request object',
  ),
  require_pushed_authorization_requests: optionalField(
    z.boolean(),
    'RFC 9126 §6: every authorization request must be pushed',
  ),
  introspection_signed_response_alg: optionalField(
    z.enum(INTROSPECTION_SIGNING_ALGS),
    'RFC 9701 §6: introspection responses to this client are JWTs signed with this alg (default RS256, when asked by Accept)',
  ),
  default_acr_values: z
    .array(z.string())
    .max(10)
    .optional()
    .openapi({ description: 'OIDC Registration §2: acr values asked for when a request names none' }),
  require_mfa: optionalField(z.boolean(), 'every sign-in for this client must be multi-factor (docs/mfa.md)'),
  contacts: z.array(z.string()).max(10).optional(),
  software_id: z.string().max(500).optional(),
  software_version: z.string().max(500).optional(),
};

/** The document's view of the metadata registration reads (a test keeps the two field lists equal). */
export const ClientMetadataSchema = z.object(metadataFields).openapi('ClientMetadata');

const ClientUpdateSchema = z
  .object({
    client_id: z.string().openapi({ description: 'Must equal the client_id in the path' }),
    client_secret: optionalText('When sent, must be the current secret'),
    ...metadataFields,
  })
  .openapi('ClientUpdate');

const ClientInformationSchema = z
  .object({
    client_id: z.string(),
    client_secret: optionalText('Confidential clients, at registration only'),
    client_id_issued_at: z.number().int(),
    client_secret_expires_at: z.number().int().optional().openapi({ description: '0: never' }),
    registration_access_token: z.string(),
    registration_client_uri: z.url(),
    ...metadataFields,
  })
  .openapi('ClientInformation');

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
    201: jsonResponse(
      'Registered; client_secret and registration_access_token are shown only here',
      ClientInformationSchema,
    ),
    400: jsonError('invalid_client_metadata, invalid_redirect_uri or invalid_request'),
    401: jsonError('No initial access token (registration is not open), or an invalid one'),
    403: jsonError('The token lacks scope admin (insufficient_scope)'),
    413: jsonError('Body larger than 64 KiB'),
    503: jsonError('Misconfigured or unavailable'),
  },
});

/** What a route on one registration says beyond what they share. */
interface ManagementRouteSpec<R extends RouteConfig['responses']> {
  method: 'get' | 'put' | 'delete';
  summary: string;
  description?: string;
  /** The component name of a JSON body, read after the registration access token is checked. */
  body?: string;
  /** The answers; `managementErrors` follow them. */
  responses: R;
}

/** A route on one registration (RFC 7592 §2): the client_id in the path, the registration access token as Bearer. */
const managementRoute = <R extends RouteConfig['responses']>(spec: ManagementRouteSpec<R>) =>
  createRoute({
    method: spec.method,
    path: `${REGISTER_PATH}/{client_id}`,
    tags: ['Client Registration'],
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    security: [{ bearer: [] }],
    request: {
      params: ClientIdParam,
      ...(spec.body === undefined ? {} : { body: handParsedBody(spec.body, 'application/json') }),
    },
    responses: { ...spec.responses, ...managementErrors },
  });

export const readClientRoute = managementRoute({
  method: 'get',
  summary: 'Read a registration (RFC 7592 §2.1)',
  description: 'Bearer: the registration access token. The client secret is not returned.',
  responses: { 200: jsonResponse('Current metadata', ClientInformationSchema) },
});

export const updateClientRoute = managementRoute({
  method: 'put',
  summary: 'Replace a registration (RFC 7592 §2.2)',
  description:
    'Omitted fields return to their defaults. Must not contain registration_access_token, registration_client_uri, client_secret_expires_at or client_id_issued_at.',
  body: 'ClientUpdate',
  responses: {
    200: jsonResponse('Updated metadata', ClientInformationSchema),
    400: jsonError('invalid_client_metadata, invalid_redirect_uri or invalid_request'),
  },
});

export const deleteClientRoute = managementRoute({
  method: 'delete',
  summary: 'Delete a registration (RFC 7592 §2.3)',
  responses: { 204: { description: 'Deleted' } },
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
