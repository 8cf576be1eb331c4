import { z } from 'zod';
import { isFailure, resolveCredentials } from '../credentials.js';
import { clientAuthShape, TokenResponseSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const getToken = defineTool({
  name: 'get_token',
  title: 'Get a token (client_credentials)',
  description:
    'Requests an access token for a confidential client with the client_credentials grant ' +
    '(POST /oauth/token). Without client_id, uses the MCP server’s own client.',
  inputSchema: {
    ...clientAuthShape,
    scope: z.string().optional().describe('Space-separated; default: the client’s registered scope'),
    resource: z.string().optional().describe('RFC 8707 resource indicator'),
  },
  outputSchema: TokenResponseSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
  run({ scope, resource, ...auth }, api) {
    const credentials = resolveCredentials(auth, api);
    if (isFailure(credentials)) return Promise.resolve(credentials);
    return api.postForm('/oauth/token', { grant_type: 'client_credentials', scope, resource }, credentials);
  },
});
