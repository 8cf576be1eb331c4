import { z } from 'zod';
import { defineTool } from '../tool.js';

export const getReadiness = defineTool({
  name: 'get_readiness',
  title: 'Readiness',
  description:
    'Whether the server can reach its storage (GET /ready). Not ready is an error result carrying the report.',
  inputSchema: {},
  outputSchema: z.looseObject({ status: z.string(), checks: z.record(z.string(), z.unknown()).optional() }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(_input, api) {
    return api.get('/ready');
  },
});
