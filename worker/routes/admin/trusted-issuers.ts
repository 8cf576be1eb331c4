/** /admin/api/trusted-issuers: the issuers whose assertions the JWT bearer grant (RFC 7523 §2.1) accepts. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import * as issuers from '../../../src/admin/trusted-issuers';
import type { AppEnv } from '../../context';
import { registerCollection } from './collection';
import { ADMIN_API } from './common';

export function registerAdminTrustedIssuerRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: `${ADMIN_API}/trusted-issuers`,
    param: ['id', 'The trusted issuer id'],
    item: issuers.TrustedIssuerViewSchema,
    list: {
      summary: 'List trusted issuers',
      description: 'Newest first.',
      reply: ['A page of trusted issuers', issuers.TrustedIssuerPageSchema],
      run: issuers.listTrustedIssuers,
    },
    create: {
      summary: 'Trust an issuer',
      description:
        'Exactly one of jwks and jwks_uri. Its assertions are accepted by the urn:ietf:params:oauth:grant-type:jwt-bearer grant from the next request on.',
      body: issuers.TrustedIssuerInputSchema,
      reply: 'Trusted',
      run: issuers.createTrustedIssuer,
    },
    get: { summary: 'Read a trusted issuer', reply: 'The trusted issuer', run: issuers.getTrustedIssuer },
    update: {
      summary: 'Replace a trusted issuer',
      description: 'Every field; enabled: false refuses its assertions without deleting it.',
      body: issuers.TrustedIssuerInputSchema,
      reply: 'Replaced',
      run: issuers.updateTrustedIssuer,
    },
    remove: { summary: 'Stop trusting an issuer', reply: 'Deleted', run: issuers.deleteTrustedIssuer },
  });
}
