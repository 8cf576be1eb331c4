/** RFC 8414 authorization server metadata / OpenID Connect Discovery 1.0 §3: only what is implemented. */
import type { Config } from '../config';
import { ACR_VALUES_SUPPORTED } from '../oauth/authorize/claims';
import { RESPONSE_MODES } from '../oauth/authorize/redirect';
import { REQUEST_OBJECT_ALGS } from '../oauth/authorize/request-object';
import { ASSERTION_SIGNING_ALGS } from '../oauth/client-auth/assertion';
import { DEVICE_AUTHORIZATION_PATH } from '../oauth/device/authorization';
import { DPOP_ALGS } from '../oauth/dpop/errors';
import { PAR_PATH } from '../oauth/par';
import { ID_TOKEN_ALGS } from '../oauth/registration/oidc-metadata';
import { knownResources } from '../oauth/resources/indicators';
import { INTROSPECTION_SIGNING_ALGS } from '../oauth/tokens/introspection';
import { GRANT_TYPES_SUPPORTED } from '../oauth/tokens/token-endpoint';
import { CLAIMS_SUPPORTED } from './userinfo';

const CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
];

export function discoveryDocument(issuer: string, config: Config): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    registration_endpoint: `${issuer}/connect/register`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    // RFC 8628 §4 and RFC 9126 §5.
    device_authorization_endpoint: `${issuer}${DEVICE_AUTHORIZATION_PATH}`,
    pushed_authorization_request_endpoint: `${issuer}${PAR_PATH}`,
    require_pushed_authorization_requests: config.requirePar,
    end_session_endpoint: `${issuer}/oauth/logout`,
    scopes_supported: config.scopes.advertised(),
    response_types_supported: ['code'],
    response_modes_supported: [...RESPONSE_MODES],
    grant_types_supported: [...GRANT_TYPES_SUPPORTED],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGS],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    introspection_endpoint_auth_methods_supported: config.publicIntrospection
      ? [...CLIENT_AUTH_METHODS, 'none']
      : CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGS],
    introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGS],
    revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGS],
    // RFC 9701 §7: JWT introspection responses (no encryption).
    introspection_signing_alg_values_supported: [...INTROSPECTION_SIGNING_ALGS],
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    code_challenge_methods_supported: ['S256'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_supported: CLAIMS_SUPPORTED,
    // OIDC Core §5.5 (`claims`), §3.1.2.1 (`acr_values`): see docs/users-and-sign-in.md.
    claims_parameter_supported: true,
    acr_values_supported: [...ACR_VALUES_SUPPORTED],
    // RFC 9101: request objects by value; request_uri only as PAR's own references (RFC 9126).
    request_parameter_supported: true,
    request_uri_parameter_supported: false,
    request_object_signing_alg_values_supported: [...REQUEST_OBJECT_ALGS],
    authorization_response_iss_parameter_supported: true,
    // OIDC Back-Channel Logout 1.0 §2.1: logout tokens carry sid (and sub) when a session ends.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    // OIDC Front-Channel Logout 1.0 §3: iframes on the page after RP-initiated logout, with iss and sid.
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    // RFC 9728 §4: the resources (RFC 8707 `resource` values) this server issues tokens for.
    protected_resources: knownResources(issuer, config).map((entry) => entry.resource),
    ...(config.clientIdMetadataDocuments ? { client_id_metadata_document_supported: true } : {}),
    service_documentation: `${issuer}/swagger-ui`,
  };
}
