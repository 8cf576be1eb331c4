import { z } from 'zod';
import { TrustedIssuerSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const getTrustedIssuer = defineTool({
  name: 'get_trusted_issuer',
  title: 'Get a trusted issuer',
  description:
    'One trusted issuer (GET /admin/api/trusted-issuers/{id}): its keys, allowed subjects and scopes, audience.',
  inputSchema: { trusted_issuer_id: z.string().min(1).describe('Its id (see list_trusted_issuers)') },
  outputSchema: TrustedIssuerSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run({ trusted_issuer_id }, api) {
    return api.admin('GET', `/admin/api/trusted-issuers/${segment(trusted_issuer_id)}`);
  },
});
