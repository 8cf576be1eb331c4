import { z } from 'zod';
import { ClientSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const rotateClientSecret = defineTool({
  name: 'rotate_client_secret',
  title: 'Rotate a client secret',
  description:
    'Issues a new secret for a confidential client (POST /admin/api/clients/{client_id}/secret); the old ' +
    'one stops working. The new client_secret is in this answer only.',
  inputSchema: { client_id: z.string().min(1) },
  outputSchema: ClientSchema.extend({ client_secret: z.string() }),
  annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
  run({ client_id }, api) {
    return api.admin('POST', `/admin/api/clients/${segment(client_id)}/secret`);
  },
});
