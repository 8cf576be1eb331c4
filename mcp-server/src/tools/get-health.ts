import { z } from 'zod';
import { defineTool } from '../tool.js';

export const getHealth = defineTool({
  name: 'get_health',
  title: 'Liveness',
  description: 'Whether the server is serving (GET /health).',
  inputSchema: {},
  outputSchema: z.looseObject({
    status: z.string(),
    service: z.string().optional(),
    timestamp: z.string().optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(_input, api) {
    return api.get('/health');
  },
});
