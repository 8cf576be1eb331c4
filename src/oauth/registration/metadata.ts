/**
 * RFC 7591 §2 client metadata: validation of a registration (or RFC 7592 §2.2 replacement) document
 * into the values a ClientRecord holds. Unknown fields are ignored; null, "" and [] count as omitted
 * (RFC 7592 §2.2 lets the server ignore empty values). Errors are invalid_client_metadata, or
 * invalid_redirect_uri for redirect_uris (§3.2.2), and name the field.
 */
import { z } from 'zod';
import { type OutboundPolicy, outboundUrlProblem, REGISTRATION_POLICY } from '../../outbound/policy';
import type { ClientRecord, TokenEndpointAuthMethod } from '../../storage/ports';
import { REQUEST_OBJECT_ALGS } from '../authorize/request-object';
import { ASSERTION_SIGNING_ALGS, CLIENT_SECRET_JWT_ALGS } from '../client-auth/assertion';
import { checkJwks, JwksUnavailableError } from '../client-auth/assertion-jwks';
import { InvalidClientMetadataError, InvalidRedirectUriError, type OAuthError } from '../errors';
import { MAX_REDIRECT_URI_LENGTH, redirectUriProblem } from '../redirect-uri';
import { BUILT_IN_REGISTRY, type ScopeRegistry } from '../scopes/registry';
import { PRIVILEGED_SCOPES, parseScope } from '../scopes/scope';
import { INTROSPECTION_SIGNING_ALGS } from '../tokens/introspection';
import { ID_TOKEN_ALGS, logoutUriProblem } from './oidc-metadata';

export const REGISTRABLE_GRANT_TYPES = [
  'authorization_code',
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
] as const;
export const REGISTRABLE_RESPONSE_TYPES = ['code'] as const;
export const REGISTRABLE_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;
/**
 * Every built-in scope except the privileged ones, so an OpenID relying party works without naming
 * scopes. An API's scopes are registered by name only: they change the audience of the client's tokens.
 */
export const DEFAULT_SCOPE = BUILT_IN_REGISTRY.builtIns()
  .filter((scope) => !PRIVILEGED_SCOPES.has(scope))
  .join(' ');

export const MAX_REDIRECT_URIS = 20;
const MAX_TEXT_LENGTH = 500;
const MAX_CONTACTS = 10;

/** The RFC 7591 fields kept in ClientRecord.metadata (the rest have columns of their own). */
export const EXTRA_METADATA_FIELDS = [
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'jwks_uri',
  'contacts',
  'software_id',
  'software_version',
  'post_logout_redirect_uris',
  'id_token_signed_response_alg',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
  'frontchannel_logout_uri',
  'frontchannel_logout_session_required',
  'require_pushed_authorization_requests',
  'jwks',
  'token_endpoint_auth_signing_alg',
  'dpop_bound_access_tokens',
  'request_object_signing_alg',
  'require_signed_request_object',
  'introspection_signed_response_alg',
  'default_acr_values',
  'require_mfa',
] as const;

/**
 * Validated metadata, defaults applied: the registered fields of the client record (`metadata` holds the
 * EXTRA_METADATA_FIELDS that were given).
 */
export type ClientMetadata = Pick<
  ClientRecord,
  | 'clientName'
  | 'redirectUris'
  | 'grantTypes'
  | 'responseTypes'
  | 'scope'
  | 'tokenEndpointAuthMethod'
  | 'metadata'
>;

/** null, "" and [] are treated as absent. */
const omittable = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) =>
      value === null || value === '' || (Array.isArray(value) && value.length === 0) ? undefined : value,
    schema.optional(),
  );

const text = z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);
const httpsUrl = text.refine((value) => URL.parse(value)?.protocol === 'https:', 'must be an https URL');
/**
 * The outbound policy (src/outbound/policy.ts): a URL the server would refuse to fetch is refused here.
 * Loopback is judged afterwards by the running server's policy (checkOutboundUrls).
 */
export const outboundUrl = text.superRefine((value, ctx) => {
  const problem = outboundUrlProblem(value, REGISTRATION_POLICY);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** RFC 7517 §5 JWK Set of 1-20 public keys, at most 16 KB as JSON. */
const MAX_JWKS_JSON_LENGTH = 16 * 1024;
export const jwkSet = z.unknown().superRefine((value, ctx) => {
  try {
    checkJwks(value);
  } catch (error) {
    const message = error instanceof JwksUnavailableError ? error.message : 'not a JWK Set';
    ctx.addIssue({ code: 'custom', message });
    return;
  }
  if (JSON.stringify(value).length > MAX_JWKS_JSON_LENGTH) {
    ctx.addIssue({ code: 'custom', message: 'must be at most 16 KB' });
  }
});

const distinct = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max, `must have at most ${max} entries`)
    .transform((items) => [...new Set(items)]);

const MetadataSchema = z.object({
  redirect_uris: omittable(
    distinct(
      z.string().max(MAX_REDIRECT_URI_LENGTH, `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`),
      MAX_REDIRECT_URIS,
    ),
  ),
  grant_types: omittable(distinct(z.enum(REGISTRABLE_GRANT_TYPES), REGISTRABLE_GRANT_TYPES.length)),
  response_types: omittable(distinct(z.enum(REGISTRABLE_RESPONSE_TYPES), REGISTRABLE_RESPONSE_TYPES.length)),
  token_endpoint_auth_method: omittable(z.enum(REGISTRABLE_AUTH_METHODS)),
  scope: omittable(text),
  client_name: omittable(text),
  client_uri: omittable(httpsUrl),
  logo_uri: omittable(httpsUrl),
  policy_uri: omittable(httpsUrl),
  tos_uri: omittable(httpsUrl),
  jwks_uri: omittable(outboundUrl),
  jwks: omittable(jwkSet),
  token_endpoint_auth_signing_alg: omittable(z.enum(ASSERTION_SIGNING_ALGS)),
  // RFC 9449 §5.2: true = every token request of this client must carry a DPoP proof.
  dpop_bound_access_tokens: omittable(z.boolean('must be true or false')),
  contacts: omittable(distinct(text, MAX_CONTACTS)),
  software_id: omittable(text),
  software_version: omittable(text),
  post_logout_redirect_uris: omittable(
    distinct(
      z
        .string()
        .max(MAX_REDIRECT_URI_LENGTH, `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`)
        .refine((uri) => redirectUriProblem(uri) === null, 'must be an absolute URI like a redirect URI'),
      MAX_REDIRECT_URIS,
    ),
  ),
  id_token_signed_response_alg: omittable(z.enum(ID_TOKEN_ALGS)),
  // OIDC Back-Channel Logout 1.0 §2.2: no fragment; and the outbound policy, as for jwks_uri.
  backchannel_logout_uri: omittable(
    text.superRefine((value, ctx) => {
      const problem = logoutUriProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  backchannel_logout_session_required: omittable(z.boolean('must be true or false')),
  // OIDC Front-Channel Logout 1.0 §2: as a back-channel URI (the browser loads it in an iframe).
  frontchannel_logout_uri: omittable(
    text.superRefine((value, ctx) => {
      const problem = logoutUriProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  frontchannel_logout_session_required: omittable(z.boolean('must be true or false')),
  // RFC 9126 §6: authorization requests of this client must come through PAR.
  require_pushed_authorization_requests: omittable(z.boolean('must be true or false')),
  // RFC 9101 §10.5 / OIDC Registration §2: how this client signs its request objects (never none), and
  // whether every authorization request of it must be one.
  request_object_signing_alg: omittable(z.enum(REQUEST_OBJECT_ALGS)),
  require_signed_request_object: omittable(z.boolean('must be true or false')),
  // RFC 9701 §6: the alg of this client's JWT introspection responses (default RS256).
  introspection_signed_response_alg: omittable(z.enum(INTROSPECTION_SIGNING_ALGS)),
  // OIDC Registration §2: the acr values asked for when a request names none (ACR_MFA steps up).
  default_acr_values: omittable(
    z.array(text.max(200, 'must be at most 200 characters').min(1, 'must not be empty')).max(10),
  ),
  // Every sign-in for this client must be multi-factor (docs/mfa.md): refused otherwise.
  require_mfa: omittable(z.boolean('must be true or false')),
});

type ParsedMetadata = z.output<typeof MetadataSchema>;

/** The metadata fields registration reads (the OpenAPI document describes exactly these). */
export const REGISTRATION_METADATA_FIELDS: readonly string[] = Object.keys(MetadataSchema.shape);

export interface MetadataOptions {
  /**
   * Admit privileged scopes (`admin`) for any client: only for clients created by an administrator.
   * Otherwise only a public client may register them: it can only ask a user for them (never use them
   * for itself through client_credentials), and a user is granted them only as an administrator who
   * consented on a page naming them (src/oauth/scopes/admin-scope.ts).
   */
  allowPrivileged?: boolean;
  /**
   * What the running server may fetch (config.outbound): a `jwks_uri` or `backchannel_logout_uri` it
   * would refuse to reach is refused at registration, loopback included unless
   * OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP allows it.
   */
  outbound: OutboundPolicy;
  /** The scopes this server knows (config.scopes): any other is refused, named. */
  scopes: ScopeRegistry;
}

/** Validates a metadata document; throws the RFC 7591 §3.2.2 error naming the first bad field. */
export function validateClientMetadata(
  document: Record<string, unknown>,
  options: MetadataOptions,
): ClientMetadata {
  const parsed = MetadataSchema.safeParse(document);
  if (!parsed.success) throw issueError(parsed.error.issues[0]);
  const input = parsed.data;
  checkOutboundUrls(input, options.outbound);
  const grantTypes = input.grant_types ?? ['authorization_code'];
  const responseTypes = checkResponseTypes(grantTypes, input.response_types);
  const tokenEndpointAuthMethod = checkAuthMethod(grantTypes, input.token_endpoint_auth_method);
  checkClientKeys(tokenEndpointAuthMethod, input);
  checkFrontchannelLogoutUri(input);
  checkRequestObjectAlg(tokenEndpointAuthMethod, input);
  return {
    clientName: input.client_name ?? null,
    redirectUris: checkRedirectUris(grantTypes, input.redirect_uris ?? []),
    grantTypes,
    responseTypes,
    scope: checkScope(
      input.scope ?? DEFAULT_SCOPE,
      options.allowPrivileged === true || tokenEndpointAuthMethod === 'none',
      options.scopes,
    ),
    tokenEndpointAuthMethod,
    metadata: extraMetadata(input),
  };
}

/** The URLs this server will fetch, judged by the policy it runs with. */
function checkOutboundUrls(input: ParsedMetadata, policy: OutboundPolicy): void {
  for (const field of ['jwks_uri', 'backchannel_logout_uri'] as const) {
    const value = input[field];
    const problem = value === undefined ? null : outboundUrlProblem(value, policy);
    if (problem) throw new InvalidClientMetadataError(`${field}: ${problem}`);
  }
}

function issueError(issue: z.core.$ZodIssue | undefined): OAuthError {
  const [field, ...rest] = issue?.path ?? [];
  const name = `${String(field ?? 'metadata')}${rest.map((part) => `[${String(part)}]`).join('')}`;
  const description = `${name}: ${issue?.message ?? 'invalid value'}`;
  return field === 'redirect_uris'
    ? new InvalidRedirectUriError(description)
    : new InvalidClientMetadataError(description);
}

/** RFC 7591 §2.1: `code` goes with authorization_code, and nothing else here uses the authorization endpoint. */
function checkResponseTypes(grantTypes: string[], given: string[] | undefined): string[] {
  const usesCode = grantTypes.includes('authorization_code');
  if (given === undefined) return usesCode ? ['code'] : [];
  if (given.includes('code') !== usesCode) {
    throw new InvalidClientMetadataError(
      'response_types: code and grant_types authorization_code must be registered together',
    );
  }
  return given;
}

function checkAuthMethod(grantTypes: string[], given: TokenEndpointAuthMethod | undefined) {
  const userGrants = ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'];
  if (grantTypes.includes('refresh_token') && !userGrants.some((grant) => grantTypes.includes(grant))) {
    throw new InvalidClientMetadataError(
      'grant_types: refresh_token is only issued with authorization_code or device_code',
    );
  }
  const method = given ?? 'client_secret_basic';
  if (method === 'none' && grantTypes.includes('urn:ietf:params:oauth:grant-type:token-exchange')) {
    throw new InvalidClientMetadataError(
      'token_endpoint_auth_method: a public client (none) cannot use the token exchange grant',
    );
  }
  if (method === 'none' && grantTypes.includes('urn:ietf:params:oauth:grant-type:jwt-bearer')) {
    throw new InvalidClientMetadataError(
      'token_endpoint_auth_method: a public client (none) cannot use the JWT bearer grant',
    );
  }
  if (method === 'none' && grantTypes.includes('client_credentials')) {
    throw new InvalidClientMetadataError(
      'token_endpoint_auth_method: a public client (none) cannot use the client_credentials grant',
    );
  }
  return method;
}

/**
 * RFC 7591 §2: jwks and jwks_uri are mutually exclusive; private_key_jwt needs one of them; the
 * registered assertion algorithm must suit the method (HMAC for client_secret_jwt, asymmetric otherwise).
 */
function checkClientKeys(method: TokenEndpointAuthMethod, input: ParsedMetadata): void {
  if (input.jwks !== undefined && input.jwks_uri !== undefined) {
    throw new InvalidClientMetadataError('jwks: jwks and jwks_uri must not both be registered');
  }
  if (method === 'private_key_jwt' && input.jwks === undefined && input.jwks_uri === undefined) {
    throw new InvalidClientMetadataError('jwks: private_key_jwt needs jwks or jwks_uri');
  }
  const alg = input.token_endpoint_auth_signing_alg;
  if (alg === undefined) return;
  const hmac = (CLIENT_SECRET_JWT_ALGS as readonly string[]).includes(alg);
  if (method === 'client_secret_jwt' ? !hmac : method !== 'private_key_jwt' || hmac) {
    throw new InvalidClientMetadataError(
      `token_endpoint_auth_signing_alg: ${alg} does not suit token_endpoint_auth_method ${method}`,
    );
  }
}

/** An HS256 request object needs a client secret; an asymmetric one needs registered keys. */
function checkRequestObjectAlg(method: TokenEndpointAuthMethod, input: ParsedMetadata): void {
  const alg = input.request_object_signing_alg;
  if (alg === undefined) return;
  if ((CLIENT_SECRET_JWT_ALGS as readonly string[]).includes(alg)) {
    if (method === 'none' || method === 'private_key_jwt') {
      throw new InvalidClientMetadataError(
        `request_object_signing_alg: ${alg} needs a client secret, which ${method} clients do not have`,
      );
    }
  } else if (input.jwks === undefined && input.jwks_uri === undefined) {
    throw new InvalidClientMetadataError(`request_object_signing_alg: ${alg} needs jwks or jwks_uri`);
  }
}

/** Front-Channel Logout 1.0 §2: the URI's scheme, host and port are those of a registered redirect URI. */
function checkFrontchannelLogoutUri(input: ParsedMetadata): void {
  const uri = input.frontchannel_logout_uri;
  if (uri === undefined) return;
  const origin = new URL(uri).origin;
  if (!(input.redirect_uris ?? []).some((redirect) => URL.parse(redirect)?.origin === origin)) {
    throw new InvalidClientMetadataError(
      'frontchannel_logout_uri: must have the scheme, host and port of a registered redirect URI',
    );
  }
}

function checkRedirectUris(grantTypes: string[], uris: string[]): string[] {
  if (uris.length === 0 && grantTypes.includes('authorization_code')) {
    throw new InvalidRedirectUriError('redirect_uris: required for the authorization_code grant');
  }
  uris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) throw new InvalidRedirectUriError(`redirect_uris[${index}]: ${problem}`);
  });
  return uris;
}

/** RFC 6749 §3.3 syntax, only scopes this server supports, a privileged one only when allowed. */
function checkScope(scope: string, allowPrivileged: boolean, registry: ScopeRegistry): string {
  let scopes: string[];
  try {
    scopes = parseScope(scope);
  } catch (error) {
    throw new InvalidClientMetadataError(`scope: ${(error as Error).message}`);
  }
  if (scopes.length === 0) return DEFAULT_SCOPE;
  const privileged = scopes.filter((name) => PRIVILEGED_SCOPES.has(name));
  if (privileged.length > 0 && !allowPrivileged) {
    throw new InvalidClientMetadataError(
      `scope: ${privileged.join(' ')} can only be registered by a public client (token_endpoint_auth_method none)`,
    );
  }
  const unknown = registry.unknown(scopes);
  if (unknown.length > 0) {
    throw new InvalidClientMetadataError(`scope: not supported by this server: ${unknown.join(' ')}`);
  }
  return scopes.join(' ');
}

function extraMetadata(input: ParsedMetadata): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const field of EXTRA_METADATA_FIELDS) {
    if (input[field] !== undefined) metadata[field] = input[field];
  }
  return metadata;
}
