import { z } from 'zod';
import { ClientSchema, pageOf } from '../schemas.js';
import { defineTool, pagingShape } from '../tool.js';

export const listClients = defineTool({
  name: 'list_clients',
  title: 'List clients',
  description: 'Registered clients, one page at a time (GET /admin/api/clients).',
  inputSchema: {
    q: z
      .string()
      .min(1)
      .optional()
      .describe('Only clients whose client_id or client_name contains this (case-insensitive)'),
    ...pagingShape,
  },
  outputSchema: pageOf(ClientSchema),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(query, api) {
    return api.admin('GET', '/admin/api/clients', { query });
  },
});
