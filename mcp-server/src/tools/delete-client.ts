import { z } from 'zod';
import { defineTool, segment } from '../tool.js';

export const deleteClient = defineTool({
  name: 'delete_client',
  title: 'Delete a client',
  description: 'Deletes a client (DELETE /admin/api/clients/{client_id}); its tokens stop working.',
  inputSchema: { client_id: z.string().min(1) },
  outputSchema: z.looseObject({ deleted: z.literal(true), client_id: z.string() }),
  annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ client_id }, api) {
    const result = await api.admin('DELETE', `/admin/api/clients/${segment(client_id)}`);
    if (!result.ok) return result;
    return { ok: true, structured: { deleted: true, client_id } };
  },
});
