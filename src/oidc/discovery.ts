/** RFC 8414 authorization server metadata / OpenID Connect Discovery 1.0 §3: only what is implemented. */
import type { Config } from '../config';
import { GRANT_TYPES_SUPPORTED } from '../oauth/token-endpoint';
import { ID_TOKEN_ALGS } from './id-token';
import { CLAIMS_SUPPORTED } from './userinfo';

export const SCOPES_SUPPORTED = ['openid', 'profile', 'email', 'offline_access', 'read', 'write', 'admin'];
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

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
    end_session_endpoint: `${issuer}/oauth/logout`,
    scopes_supported: SCOPES_SUPPORTED,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...GRANT_TYPES_SUPPORTED],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGS],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    introspection_endpoint_auth_methods_supported: config.publicIntrospection
      ? [...CLIENT_AUTH_METHODS, 'none']
      : CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    code_challenge_methods_supported: ['S256'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_supported: CLAIMS_SUPPORTED,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${issuer}/swagger-ui`,
  };
}
