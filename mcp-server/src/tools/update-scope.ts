import { z } from 'zod';
import { ScopeSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const updateScope = defineTool({
  name: 'update_scope',
  title: 'Update a scope',
  description:
    'Replaces a defined scope’s description and advertise flag (PUT /admin/api/scopes/{name}); an omitted ' +
    'advertise becomes true. The name cannot change. Built-in and configured scopes are read-only (conflict).',
  inputSchema: {
    name: z.string().min(1).describe('The scope name'),
    description: z.string().min(1).max(200).describe('Plain words for the consent page'),
    advertise: z.boolean().optional().describe('Listed in discovery scopes_supported (default true)'),
  },
  outputSchema: ScopeSchema,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run({ name, ...scope }, api) {
    return api.admin('PUT', `/admin/api/scopes/${segment(name)}`, { body: scope });
  },
});
