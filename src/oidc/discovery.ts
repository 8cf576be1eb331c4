/** RFC 8414 authorization server metadata / OpenID Connect Discovery 1.0 §3: only what is implemented. */
import type { Config } from '../config';
import { GRANT_TYPES_SUPPORTED } from '../oauth/token-endpoint';

export const SCOPES_SUPPORTED = ['read', 'write', 'admin'];
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

export function discoveryDocument(issuer: string, config: Config): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    registration_endpoint: `${issuer}/connect/register`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    scopes_supported: SCOPES_SUPPORTED,
    response_types_supported: [],
    grant_types_supported: [...GRANT_TYPES_SUPPORTED],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: config.publicIntrospection
      ? [...CLIENT_AUTH_METHODS, 'none']
      : CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    service_documentation: `${issuer}/swagger-ui`,
  };
}
