import { z } from 'zod';
import { defineTool } from '../tool.js';

export const getMetrics = defineTool({
  name: 'get_metrics',
  title: 'Metrics',
  description: 'The server’s Prometheus metrics, as text (GET /metrics).',
  inputSchema: {},
  outputSchema: z.object({ content_type: z.string(), metrics: z.string() }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_input, api) {
    const result = await api.get('/metrics', 'text/plain; version=0.0.4, text/plain;q=0.9, */*;q=0.1');
    if (!result.ok) return result;
    const metrics = typeof result.body === 'string' ? result.body : JSON.stringify(result.body ?? '');
    return { ok: true, structured: { content_type: result.contentType, metrics }, text: metrics };
  },
});
