/** The admin view of a client and the schemas of the client operations (validation and OpenAPI). */
import { z } from 'zod';
import { isDynamicallyRegistered } from '../oauth/registration/manage';
import {
  EXTRA_METADATA_FIELDS,
  REGISTRABLE_AUTH_METHODS,
  REGISTRABLE_GRANT_TYPES,
} from '../oauth/registration/metadata';
import type { ClientRecord } from '../storage/ports';
import { pageSchema, searchQuerySchema } from './paging';

const httpsUrl = z.string().meta({ description: 'https URL' });

/** A metadata field that may be omitted or null (its default), with its meaning. */
const flagField = (description: string) => z.boolean().nullable().optional().meta({ description });
const textField = (description: string) => z.string().nullable().optional().meta({ description });

/** RFC 7591 metadata, for the OpenAPI document (validated by validateClientMetadata). */
const metadataFields = {
  client_name: z.string().max(500).nullable().optional(),
  redirect_uris: z
    .array(z.string())
    .max(20)
    .nullable()
    .optional()
    .meta({
      description:
        'https, http on loopback, or a private-use scheme (RFC 8252); required with authorization_code',
      example: ['https://app.example.com/callback'],
    }),
  grant_types: z
    .array(z.enum(REGISTRABLE_GRANT_TYPES))
    .nullable()
    .optional()
    .meta({ description: 'Default ["authorization_code"]' }),
  response_types: z
    .array(z.enum(['code']))
    .nullable()
    .optional()
    .meta({ description: 'Default ["code"] with authorization_code, else []' }),
  token_endpoint_auth_method: z
    .enum(REGISTRABLE_AUTH_METHODS)
    .nullable()
    .optional()
    .meta({ description: 'Default client_secret_basic; none = a public client without a secret' }),
  scope: z.string().nullable().optional().meta({
    description: 'Space-separated; may include admin (unlike RFC 7591 registration)',
    example: 'read write',
  }),
  client_uri: httpsUrl.nullable().optional(),
  logo_uri: httpsUrl.nullable().optional(),
  policy_uri: httpsUrl.nullable().optional(),
  tos_uri: httpsUrl.nullable().optional(),
  jwks_uri: httpsUrl.nullable().optional(),
  contacts: z.array(z.string()).max(10).nullable().optional(),
  software_id: z.string().nullable().optional(),
  software_version: z.string().nullable().optional(),
  post_logout_redirect_uris: z.array(z.string()).max(20).nullable().optional(),
  id_token_signed_response_alg: z.enum(['RS256', 'ES256']).nullable().optional(),
  backchannel_logout_uri: textField(
    'OIDC Back-Channel Logout: where logout tokens are POSTed (https, no fragment)',
  ),
  backchannel_logout_session_required: flagField('The client needs sid in logout tokens (default false)'),
  require_pushed_authorization_requests: flagField(
    'RFC 9126: authorization requests must come through POST /oauth/par (default false)',
  ),
  jwks: z
    .object({ keys: z.array(z.record(z.string(), z.unknown())) })
    .nullable()
    .optional()
    .meta({ description: "The client's public keys by value (instead of jwks_uri)" }),
  token_endpoint_auth_signing_alg: textField('RFC 7523: the alg of the client assertions'),
  dpop_bound_access_tokens: flagField(
    'RFC 9449 §5.2: every token request must carry a DPoP proof (default false)',
  ),
  frontchannel_logout_uri: textField(
    'OIDC Front-Channel Logout: loaded in an iframe at logout (same origin as a redirect URI)',
  ),
  frontchannel_logout_session_required: flagField(
    'The client needs iss and sid on its front-channel logout URI (default false)',
  ),
  request_object_signing_alg: textField("RFC 9101: the only alg accepted for this client's request objects"),
  require_signed_request_object: flagField(
    'RFC 9101: every authorization request must be a signed request object (default false)',
  ),
  introspection_signed_response_alg: textField(
    'RFC 9701: the alg of JWT introspection responses for this client',
  ),
  default_acr_values: z.array(z.string()).max(10).nullable().optional().meta({
    description: 'OIDC Registration: acr values asked for when a request names none',
  }),
  require_mfa: flagField('Every sign-in for this client must be multi-factor (default false)'),
};

/** `first_party` and `enabled`, checked before the metadata. */
export const ClientFlagsSchema = z.object({
  first_party: z.boolean('must be true or false').optional().meta({
    description: 'First-party clients skip the consent screen (default false)',
  }),
  enabled: z.boolean('must be true or false').optional().meta({
    description: 'A disabled client gets no tokens and its tokens are inactive (default true)',
  }),
});

export const ClientCreateSchema = z
  .object({ ...metadataFields, ...ClientFlagsSchema.shape })
  .meta({ id: 'AdminClientCreate', description: 'RFC 7591 client metadata plus first_party and enabled' });

export const ClientUpdateSchema = z
  .object({
    client_id: z.string().optional().meta({ description: 'When sent, must equal the client_id in the path' }),
    ...metadataFields,
    ...ClientFlagsSchema.shape,
  })
  .meta({
    id: 'AdminClientUpdate',
    description:
      'Fields sent replace the current ones; omitted fields stay; null returns a field to its default. Switching token_endpoint_auth_method to or from none removes the secret or issues one (answered once).',
  });

const optionalText = z.string().optional();
export const ClientViewSchema = z
  .object({
    client_id: z.string(),
    client_name: z.string().nullable(),
    client_type: z.enum(['confidential', 'public']),
    token_endpoint_auth_method: z.enum(REGISTRABLE_AUTH_METHODS),
    redirect_uris: z.array(z.string()),
    grant_types: z.array(z.string()),
    response_types: z.array(z.string()),
    scope: z.string(),
    first_party: z.boolean(),
    enabled: z.boolean(),
    bootstrap: z.boolean().meta({ description: 'The configured bootstrap admin client (read-only)' }),
    dynamically_registered: z.boolean().meta({ description: 'Registered through RFC 7591' }),
    registration_access: z.boolean().meta({
      description:
        'The registrant can still read, change and delete it with its registration access token (RFC 7592); revoked once an administrator changes first_party, scope or enabled',
    }),
    client_secret_expires_at: z.number().int().meta({ description: '0: never' }),
    created_at: z.number().int().meta({ description: 'Unix time, seconds' }),
    updated_at: z.number().int(),
    client_uri: optionalText,
    logo_uri: optionalText,
    policy_uri: optionalText,
    tos_uri: optionalText,
    jwks_uri: optionalText,
    contacts: z.array(z.string()).optional(),
    software_id: optionalText,
    software_version: optionalText,
    post_logout_redirect_uris: z.array(z.string()).optional(),
    id_token_signed_response_alg: optionalText,
    backchannel_logout_uri: optionalText,
    backchannel_logout_session_required: z.boolean().optional(),
    require_pushed_authorization_requests: z.boolean().optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
    token_endpoint_auth_signing_alg: optionalText,
    dpop_bound_access_tokens: z.boolean().optional(),
    frontchannel_logout_uri: optionalText,
    frontchannel_logout_session_required: z.boolean().optional(),
    request_object_signing_alg: optionalText,
    require_signed_request_object: z.boolean().optional(),
    introspection_signed_response_alg: optionalText,
    default_acr_values: z.array(z.string()).optional(),
    require_mfa: z.boolean().optional(),
  })
  .meta({ id: 'AdminClient' });

export const ClientWithSecretSchema = ClientViewSchema.extend({
  client_secret: z.string().optional().meta({ description: 'Shown only in this response' }),
}).meta({ id: 'AdminClientWithSecret' });

export const ClientSecretSchema = z
  .object({
    client_id: z.string(),
    client_secret: z.string().meta({ description: 'Shown only in this response' }),
    client_secret_expires_at: z.number().int().meta({ description: '0: never' }),
  })
  .meta({ id: 'AdminClientSecret' });

export const ClientPageSchema = pageSchema(ClientViewSchema, 'AdminClientPage');
export const ClientQuerySchema = searchQuerySchema('Case-insensitive substring of client_id or client_name');

export type ClientView = z.output<typeof ClientViewSchema>;
export type ClientWithSecret = z.output<typeof ClientWithSecretSchema>;
export type ClientSecret = z.output<typeof ClientSecretSchema>;

/** The admin view of a client: never a secret or a hash. */
export function clientView(client: ClientRecord): ClientView {
  const view: ClientView = {
    client_id: client.clientId,
    client_name: client.clientName,
    client_type: client.tokenEndpointAuthMethod === 'none' ? 'public' : 'confidential',
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    scope: client.scope,
    first_party: client.firstParty,
    enabled: client.enabled,
    bootstrap: client.metadata.bootstrap === true,
    dynamically_registered: isDynamicallyRegistered(client),
    registration_access: client.registrationAccessTokenHash !== null,
    client_secret_expires_at: client.clientSecretExpiresAt,
    created_at: client.createdAt,
    updated_at: client.updatedAt,
  };
  const extra = view as Record<string, unknown>;
  for (const field of EXTRA_METADATA_FIELDS) {
    if (client.metadata[field] !== undefined) extra[field] = client.metadata[field];
  }
  return view;
}
