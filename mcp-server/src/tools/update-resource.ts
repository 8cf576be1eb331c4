import { z } from 'zod';
import { ResourceSchema, resourceInputShape } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const updateResource = defineTool({
  name: 'update_resource',
  title: 'Update an API',
  description:
    'Replaces every field of a defined API (PUT /admin/api/resources/{id}): give them all, as get_resource ' +
    'shows them; an omitted field returns to its default (no scopes, the server’s token format and lifetime). ' +
    'Configured APIs are read-only (conflict).',
  inputSchema: {
    resource_id: z.string().min(1).describe('The API’s id (see list_resources)'),
    ...resourceInputShape,
  },
  outputSchema: ResourceSchema,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run({ resource_id, ...resource }, api) {
    return api.admin('PUT', `/admin/api/resources/${segment(resource_id)}`, { body: resource });
  },
});
