import { pageOf, TrustedIssuerSchema } from '../schemas.js';
import { defineTool, pagingShape } from '../tool.js';

export const listTrustedIssuers = defineTool({
  name: 'list_trusted_issuers',
  title: 'List trusted issuers',
  description:
    'The issuers whose signed assertions clients may trade for access tokens with the JWT bearer grant ' +
    '(RFC 7523), one page at a time, newest first (GET /admin/api/trusted-issuers).',
  inputSchema: { ...pagingShape },
  outputSchema: pageOf(TrustedIssuerSchema),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(query, api) {
    return api.admin('GET', '/admin/api/trusted-issuers', { query });
  },
});
