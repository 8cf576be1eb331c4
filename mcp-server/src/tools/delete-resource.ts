import { z } from 'zod';
import { defineTool, segment } from '../tool.js';

export const deleteResource = defineTool({
  name: 'delete_resource',
  title: 'Delete an API',
  description:
    'Deletes a defined API (DELETE /admin/api/resources/{id}). Its scopes stay defined, of no particular API: ' +
    'tokens for them no longer carry its identifier as aud. Configured APIs are read-only (conflict).',
  inputSchema: { resource_id: z.string().min(1).describe('The API’s id (see list_resources)') },
  outputSchema: z.looseObject({ deleted: z.literal(true), resource_id: z.string() }),
  annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ resource_id }, api) {
    const result = await api.admin('DELETE', `/admin/api/resources/${segment(resource_id)}`);
    if (!result.ok) return result;
    return { ok: true, structured: { deleted: true, resource_id } };
  },
});
