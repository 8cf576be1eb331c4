import { pageOf, ScopeSchema } from '../schemas.js';
import { defineTool, pagingShape } from '../tool.js';

export const listScopes = defineTool({
  name: 'list_scopes',
  title: 'List scopes',
  description:
    'Scopes, one page at a time (GET /admin/api/scopes): those defined through the admin API, newest first; the ' +
    'first page starts with the built-in and configured ones (read_only: true).',
  inputSchema: { ...pagingShape },
  outputSchema: pageOf(ScopeSchema),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(query, api) {
    return api.admin('GET', '/admin/api/scopes', { query });
  },
});
