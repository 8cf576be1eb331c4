import { z } from 'zod';
import { ClientSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const registerClient = defineTool({
  name: 'register_client',
  title: 'Register an OAuth client',
  description:
    'Creates a client through the admin API (POST /admin/api/clients, RFC 7591 field names). A confidential ' +
    'client’s client_secret is in this answer only: hand it over now, it cannot be read again.',
  inputSchema: {
    client_name: z.string().min(1).max(500).optional(),
    redirect_uris: z.array(z.string()).optional().describe('Required with authorization_code'),
    grant_types: z
      .array(z.enum(['authorization_code', 'client_credentials', 'refresh_token']))
      .optional()
      .describe('Default ["authorization_code"]'),
    response_types: z.array(z.string()).optional(),
    token_endpoint_auth_method: z
      .enum(['client_secret_basic', 'client_secret_post', 'none'])
      .optional()
      .describe('none = public client (no secret)'),
    scope: z.string().optional().describe('Space-separated scopes the client may request (admin allowed)'),
    client_uri: z.string().optional(),
    logo_uri: z.string().optional(),
    policy_uri: z.string().optional(),
    tos_uri: z.string().optional(),
    contacts: z.array(z.string()).optional(),
    first_party: z.boolean().optional().describe('Skip the consent screen (default false)'),
    enabled: z.boolean().optional().describe('Default true'),
    extra: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Further RFC 7591 fields (e.g. jwks_uri, post_logout_redirect_uris), sent as they are'),
  },
  outputSchema: ClientSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run({ extra, ...metadata }, api) {
    return api.admin('POST', '/admin/api/clients', { body: { ...extra, ...metadata } });
  },
});
