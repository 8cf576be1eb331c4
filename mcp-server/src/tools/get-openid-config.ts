import { z } from 'zod';
import { defineTool } from '../tool.js';

export const getOpenidConfig = defineTool({
  name: 'get_openid_config',
  title: 'OpenID configuration',
  description:
    'The server’s discovery document (GET /.well-known/openid-configuration; the same as RFC 8414 metadata): ' +
    'issuer, endpoints, supported grants, scopes and algorithms.',
  inputSchema: {},
  outputSchema: z.looseObject({
    issuer: z.string(),
    authorization_endpoint: z.string().optional(),
    token_endpoint: z.string(),
    jwks_uri: z.string().optional(),
    introspection_endpoint: z.string().optional(),
    revocation_endpoint: z.string().optional(),
    registration_endpoint: z.string().optional(),
    scopes_supported: z.array(z.string()).optional(),
    grant_types_supported: z.array(z.string()).optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(_input, api) {
    return api.get('/.well-known/openid-configuration');
  },
});
