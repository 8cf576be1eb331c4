import { z } from 'zod';
import { ClientSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const updateClient = defineTool({
  name: 'update_client',
  title: 'Update a client',
  description:
    'Changes a client’s registration (PUT /admin/api/clients/{client_id}). Only the fields given change; ' +
    'enabled=false disables the client (its tokens stop working) without deleting it. Switching ' +
    'token_endpoint_auth_method from none to a secret method issues a client_secret, shown in this answer only.',
  inputSchema: {
    client_id: z.string().min(1),
    client_name: z.string().min(1).max(500).optional(),
    redirect_uris: z.array(z.string()).optional(),
    grant_types: z.array(z.enum(['authorization_code', 'client_credentials', 'refresh_token'])).optional(),
    response_types: z.array(z.string()).optional(),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
    scope: z.string().optional(),
    client_uri: z.string().optional(),
    logo_uri: z.string().optional(),
    policy_uri: z.string().optional(),
    tos_uri: z.string().optional(),
    contacts: z.array(z.string()).optional(),
    first_party: z.boolean().optional().describe('Skip the consent screen'),
    enabled: z.boolean().optional().describe('false: no new tokens, and its tokens become inactive'),
    extra: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Further RFC 7591 fields, sent as they are; null returns a field to its default'),
  },
  outputSchema: ClientSchema,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run({ client_id, extra, ...changes }, api) {
    return api.admin('PUT', `/admin/api/clients/${segment(client_id)}`, { body: { ...extra, ...changes } });
  },
});
