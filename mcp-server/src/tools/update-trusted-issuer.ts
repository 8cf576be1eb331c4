import { z } from 'zod';
import { TrustedIssuerSchema, trustedIssuerInputShape } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const updateTrustedIssuer = defineTool({
  name: 'update_trusted_issuer',
  title: 'Update a trusted issuer',
  description:
    'Replaces every field of a trusted issuer (PUT /admin/api/trusted-issuers/{id}): give them all, as ' +
    'get_trusted_issuer shows them; enabled: false refuses its assertions without deleting it.',
  inputSchema: {
    trusted_issuer_id: z.string().min(1).describe('Its id (see list_trusted_issuers)'),
    ...trustedIssuerInputShape,
  },
  outputSchema: TrustedIssuerSchema,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run({ trusted_issuer_id, ...issuer }, api) {
    return api.admin('PUT', `/admin/api/trusted-issuers/${segment(trusted_issuer_id)}`, { body: issuer });
  },
});
