import { z } from 'zod';
import { ClientSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const getClient = defineTool({
  name: 'get_client',
  title: 'Get a client',
  description: 'One client’s registration (GET /admin/api/clients/{client_id}); never its secret.',
  inputSchema: { client_id: z.string().min(1) },
  outputSchema: ClientSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run({ client_id }, api) {
    return api.admin('GET', `/admin/api/clients/${segment(client_id)}`);
  },
});
