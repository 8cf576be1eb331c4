import { EventSchema, pageOf } from '../schemas.js';
import { defineTool, pagingShape } from '../tool.js';

export const recentEvents = defineTool({
  name: 'recent_events',
  title: 'Recent events',
  description: 'Recent events and the audit log of admin actions, newest first (GET /admin/api/events).',
  inputSchema: { ...pagingShape },
  outputSchema: pageOf(EventSchema),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(query, api) {
    return api.admin('GET', '/admin/api/events', { query });
  },
});
