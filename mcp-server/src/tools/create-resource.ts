import { ResourceSchema, resourceInputShape } from '../schemas.js';
import { defineTool } from '../tool.js';

export const createResource = defineTool({
  name: 'create_resource',
  title: 'Define an API',
  description:
    'Defines an API, a protected resource (POST /admin/api/resources). A token for its scopes carries its ' +
    'identifier as aud, even when the client names no resource. Its scopes must be defined first (create_scope) ' +
    'and belong to no other API; an identifier already in use is a conflict.',
  inputSchema: resourceInputShape,
  outputSchema: ResourceSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run(resource, api) {
    return api.admin('POST', '/admin/api/resources', { body: resource });
  },
});
