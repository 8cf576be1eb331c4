import { pageOf, SigningKeySchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const rotateKeys = defineTool({
  name: 'rotate_keys',
  title: 'Rotate signing keys',
  description:
    'New active signing keys for access tokens and ID tokens (POST /admin/api/keys/rotate). The previous ' +
    'keys keep verifying (status retiring) until every token they signed has expired. Answers the ' +
    'published keys, newest first.',
  inputSchema: {},
  outputSchema: pageOf(SigningKeySchema),
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run(_input, api) {
    return api.admin('POST', '/admin/api/keys/rotate');
  },
});
