import { TrustedIssuerSchema, trustedIssuerInputShape } from '../schemas.js';
import { defineTool } from '../tool.js';

export const createTrustedIssuer = defineTool({
  name: 'create_trusted_issuer',
  title: 'Trust an issuer',
  description:
    'Trusts an issuer for the JWT bearer grant (POST /admin/api/trusted-issuers): clients that registered ' +
    'urn:ietf:params:oauth:grant-type:jwt-bearer may then trade its signed assertions for access tokens for ' +
    'the subjects and scopes allowed here. Exactly one of jwks and jwks_uri; an issuer already trusted is a conflict.',
  inputSchema: trustedIssuerInputShape,
  outputSchema: TrustedIssuerSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run(issuer, api) {
    return api.admin('POST', '/admin/api/trusted-issuers', { body: issuer });
  },
});
