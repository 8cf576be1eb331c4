import { pageOf, ResourceSchema } from '../schemas.js';
import { defineTool, pagingShape } from '../tool.js';

export const listResources = defineTool({
  name: 'list_resources',
  title: 'List APIs',
  description:
    'APIs (protected resources), one page at a time (GET /admin/api/resources): those defined through the ' +
    'admin API, newest first; the first page starts with the configured ones (read_only: true).',
  inputSchema: { ...pagingShape },
  outputSchema: pageOf(ResourceSchema),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(query, api) {
    return api.admin('GET', '/admin/api/resources', { query });
  },
});
