import { z } from 'zod';
import { ResourceSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const getResource = defineTool({
  name: 'get_resource',
  title: 'Get an API',
  description: 'One API (GET /admin/api/resources/{id}): its identifier, scopes and token settings.',
  inputSchema: {
    resource_id: z
      .string()
      .min(1)
      .describe('The API’s id (see list_resources); for a configured one its identifier'),
  },
  outputSchema: ResourceSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run({ resource_id }, api) {
    return api.admin('GET', `/admin/api/resources/${segment(resource_id)}`);
  },
});
