import { z } from 'zod';
import { defineTool, segment } from '../tool.js';

export const deleteTrustedIssuer = defineTool({
  name: 'delete_trusted_issuer',
  title: 'Stop trusting an issuer',
  description:
    'Deletes a trusted issuer (DELETE /admin/api/trusted-issuers/{id}): its assertions are refused from the ' +
    'next token request on; access tokens already issued stay valid until they expire.',
  inputSchema: { trusted_issuer_id: z.string().min(1).describe('Its id (see list_trusted_issuers)') },
  outputSchema: z.looseObject({ deleted: z.literal(true), trusted_issuer_id: z.string() }),
  annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ trusted_issuer_id }, api) {
    const result = await api.admin('DELETE', `/admin/api/trusted-issuers/${segment(trusted_issuer_id)}`);
    if (!result.ok) return result;
    return { ok: true, structured: { deleted: true, trusted_issuer_id } };
  },
});
