import { z } from 'zod';
import { ScopeSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const createScope = defineTool({
  name: 'create_scope',
  title: 'Define a scope',
  description:
    'Defines a scope that clients may then register and request (POST /admin/api/scopes). Built-in scopes ' +
    '(openid, profile, email, offline_access, admin) cannot be defined; a name from configuration or one ' +
    'already defined is a conflict. Other server instances see it within the registry cache bound.',
  inputSchema: {
    name: z.string().min(1).max(128).describe('An RFC 6749 scope token, e.g. orders:read'),
    description: z
      .string()
      .min(1)
      .max(200)
      .describe('Plain words for the consent page, e.g. "Read your orders"'),
    advertise: z.boolean().optional().describe('Listed in discovery scopes_supported (default true)'),
  },
  outputSchema: ScopeSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run(scope, api) {
    return api.admin('POST', '/admin/api/scopes', { body: scope });
  },
});
