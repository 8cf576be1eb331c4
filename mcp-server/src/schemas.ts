/**
 * Output schemas shared by the tools. They are loose on purpose: they name the fields an agent relies on
 * and let every other field the server sends pass through unchanged.
 */
import { z } from 'zod';

const str = z.string();
const epochSeconds = z.number().int().describe('Unix time, seconds');

/** Paging fields of a list answer. */
const pageFields = {
  next_cursor: str.nullable().optional().describe('Pass as cursor to get the next page; null on the last'),
  total: z.number().int().optional(),
  limit: z.number().int().optional(),
  offset: z.number().int().optional(),
};

/** A page of `item`s as the admin API lists them. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.looseObject({ items: z.array(item), ...pageFields });
}

/** An OAuth client (RFC 7591 field names). */
export const ClientSchema = z.looseObject({
  client_id: str,
  client_name: str.nullable().optional(),
  redirect_uris: z.array(str).optional(),
  grant_types: z.array(str).optional(),
  response_types: z.array(str).optional(),
  scope: str.optional(),
  token_endpoint_auth_method: str.optional(),
  client_type: str.optional().describe('confidential or public'),
  first_party: z.boolean().optional().describe('First-party clients skip the consent screen'),
  enabled: z.boolean().optional(),
  client_secret: str.optional().describe('Only in the answer that created or rotated it: shown once'),
  client_id_issued_at: epochSeconds.optional(),
});

export const UserSchema = z.looseObject({
  id: str,
  username: str,
  email: str.nullable().optional(),
  name: str.nullable().optional(),
  role: str.optional(),
  enabled: z.boolean().optional(),
  created_at: epochSeconds.optional(),
});

/** A user's second factors as an administrator sees them: never a secret, a code or a public key. */
export const UserFactorsSchema = z.looseObject({
  totp: z
    .looseObject({ confirmed: z.boolean(), created_at: epochSeconds })
    .nullable()
    .describe('The authenticator app (TOTP); null when none'),
  recovery_codes_left: z.number().int(),
  passkeys: z.array(
    z.looseObject({
      name: str,
      created_at: epochSeconds,
      last_used_at: epochSeconds.nullable(),
      device_type: str.describe('singleDevice, or multiDevice for a synced passkey'),
    }),
  ),
});

/** A scope: built in, from configuration (both read-only), or defined through the admin API. */
export const ScopeSchema = z.looseObject({
  name: str,
  description: str.optional(),
  advertise: z.boolean().optional().describe('Listed in discovery scopes_supported'),
  resource: str.nullable().optional().describe('The identifier of the API the scope opens'),
  source: str.optional().describe('built_in, configuration or admin'),
  read_only: z.boolean().optional().describe('Built in or from configuration: not changed through the API'),
  created_at: epochSeconds.nullable().optional(),
  updated_at: epochSeconds.nullable().optional(),
});

/** An API (protected resource, RFC 8707 / RFC 9728): from configuration (read-only) or defined through the admin API. */
export const ResourceSchema = z.looseObject({
  id: str.describe('For one from configuration: its identifier'),
  identifier: str.describe('The resource URI: the aud of tokens for its scopes'),
  name: str.nullable().optional(),
  scopes: z.array(str).optional(),
  access_token_format: str.nullable().optional().describe('jwt or opaque; null: the server default'),
  access_token_ttl_secs: z.number().int().nullable().optional().describe('null: the server default'),
  source: str.optional().describe('configuration or admin'),
  read_only: z.boolean().optional(),
  created_at: epochSeconds.nullable().optional(),
  updated_at: epochSeconds.nullable().optional(),
});

/** A grant: one token family (a refresh-token chain or a client_credentials issuance). */
export const GrantSchema = z.looseObject({
  id: str,
  client_id: str.optional(),
  user_id: str.nullable().optional(),
  grant_type: str.optional(),
  scope: str.optional(),
  status: str.optional().describe('active, revoked or expired'),
  created_at: epochSeconds.optional(),
  expires_at: epochSeconds.optional(),
  revoked_at: epochSeconds.nullable().optional(),
});

/** A signing key: public parts and status only. */
export const SigningKeySchema = z.looseObject({
  kid: str,
  alg: str,
  use: str.optional().describe('access_token or id_token'),
  status: str.describe('active signs; retiring only verifies until retires_at; retired'),
  created_at: epochSeconds.optional(),
  retires_at: epochSeconds.nullable().optional(),
});

/** An event (today: the audit log of admin mutations and registrations). */
export const EventSchema = z.looseObject({
  id: str,
  type: str.describe('e.g. client.create, user.update, key.rotate'),
  severity: str.optional(),
  occurred_at: epochSeconds.optional(),
  actor: z.looseObject({ id: str, type: str }).nullable().optional(),
  target: z.looseObject({ kind: str, id: str.nullable() }).nullable().optional(),
});

/** RFC 6749 §5.1 token response (plus id_token for OpenID Connect). */
export const TokenResponseSchema = z.looseObject({
  access_token: str,
  token_type: str,
  expires_in: z.number().optional(),
  scope: str.optional(),
  refresh_token: str.optional(),
  id_token: str.optional(),
});

/** RFC 7662 introspection response. */
export const IntrospectionSchema = z.looseObject({
  active: z.boolean(),
  scope: str.optional(),
  client_id: str.optional(),
  sub: str.optional(),
  token_type: str.optional(),
  exp: z.number().optional(),
  iat: z.number().optional(),
  iss: str.optional(),
});

/** Shared input: the client that authenticates at the token, introspection or revocation endpoint. */
export const clientAuthShape = {
  client_id: str
    .min(1)
    .optional()
    .describe('The client to authenticate as; default: the MCP server’s own client (OAUTH2_CLIENT_ID)'),
  client_secret: str.optional().describe('Omit for a public client (token_endpoint_auth_method none)'),
  auth_method: z
    .enum(['client_secret_basic', 'client_secret_post'])
    .optional()
    .describe('How the secret is sent; default client_secret_basic'),
};

/** Shared input: an API's fields, as create_resource sends them and update_resource replaces them. */
export const resourceInputShape = {
  identifier: str
    .min(1)
    .describe(
      'The resource URI (absolute, no fragment), e.g. https://api.example.com/orders: the aud of its tokens',
    ),
  name: str.min(1).max(200).nullable().optional(),
  scopes: z
    .array(str.min(1))
    .max(64)
    .optional()
    .describe(
      'Names of scopes defined with create_scope that belong to no other API; tokens for them carry this aud',
    ),
  access_token_format: z
    .enum(['jwt', 'opaque'])
    .nullable()
    .optional()
    .describe('Default: the server’s format'),
  access_token_ttl_secs: z
    .number()
    .int()
    .min(60)
    .nullable()
    .optional()
    .describe('Access-token lifetime for this API, at most the server’s; default: the server’s'),
};

/** A trusted issuer of the JWT bearer grant (RFC 7523 §2.1). */
export const TrustedIssuerSchema = z.looseObject({
  id: str,
  issuer: str.describe('The iss its assertions carry'),
  jwks: z
    .looseObject({ keys: z.array(z.looseObject({})) })
    .nullable()
    .optional(),
  jwks_uri: str.nullable().optional(),
  allowed_subjects: z.array(str).optional().describe('Exact sub values, or ["*"] for any'),
  allowed_scopes: z.array(str).optional(),
  audience: str.nullable().optional(),
  enabled: z.boolean().optional(),
  created_at: epochSeconds.optional(),
  updated_at: epochSeconds.optional(),
});

/** The fields of create_trusted_issuer and update_trusted_issuer (POST/PUT /admin/api/trusted-issuers). */
export const trustedIssuerInputShape = {
  issuer: str.min(1).max(500).describe('The iss its assertions carry, compared exactly'),
  jwks: z
    .looseObject({ keys: z.array(z.looseObject({})) })
    .optional()
    .describe('Its JWK Set (public keys only); give this or jwks_uri'),
  jwks_uri: str.optional().describe('An https URL of its JWK Set; give this or jwks'),
  allowed_subjects: z
    .array(str.min(1))
    .min(1)
    .max(100)
    .describe('The sub values it may assert, exactly; ["*"] for any'),
  allowed_scopes: z
    .array(str.min(1))
    .max(64)
    .describe('The most its assertions obtain; never admin or the OpenID scopes'),
  audience: str.nullable().optional().describe('One more accepted aud, beside the token endpoint and issuer'),
  enabled: z.boolean().optional().describe('Default true'),
};
