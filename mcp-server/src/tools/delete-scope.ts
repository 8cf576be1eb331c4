import { z } from 'zod';
import { defineTool, segment } from '../tool.js';

export const deleteScope = defineTool({
  name: 'delete_scope',
  title: 'Delete a scope',
  description:
    'Deletes a defined scope (DELETE /admin/api/scopes/{name}). While an API or a client still holds it the ' +
    'answer is a conflict naming them: remove it there first (update_resource, update_client).',
  inputSchema: { name: z.string().min(1).describe('The scope name') },
  outputSchema: z.looseObject({ deleted: z.literal(true), name: z.string() }),
  annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ name }, api) {
    const result = await api.admin('DELETE', `/admin/api/scopes/${segment(name)}`);
    if (!result.ok) return result;
    return { ok: true, structured: { deleted: true, name } };
  },
});
