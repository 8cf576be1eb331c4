import { z } from 'zod';
import { ScopeSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const getScope = defineTool({
  name: 'get_scope',
  title: 'Get a scope',
  description:
    'One scope (GET /admin/api/scopes/{name}): its description, whether discovery advertises it, the API it ' +
    'opens and where it comes from.',
  inputSchema: { name: z.string().min(1).describe('The scope name, e.g. orders:read') },
  outputSchema: ScopeSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run({ name }, api) {
    return api.admin('GET', `/admin/api/scopes/${segment(name)}`);
  },
});
