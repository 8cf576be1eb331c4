/** /admin/api/trusted-issuers: the issuers whose assertions the JWT bearer grant (RFC 7523 §2.1) accepts. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { PageQuerySchema } from '../../../src/admin/paging';
import {
  createTrustedIssuer,
  deleteTrustedIssuer,
  getTrustedIssuer,
  listTrustedIssuers,
  TrustedIssuerInputSchema,
  TrustedIssuerPageSchema,
  TrustedIssuerViewSchema,
  updateTrustedIssuer,
} from '../../../src/admin/trusted-issuers';
import type { AppEnv } from '../../context';
import { registerCollection } from './collection';
import { ADMIN_API, querySchema } from './common';

export function registerAdminTrustedIssuerRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: `${ADMIN_API}/trusted-issuers`,
    param: ['id', 'The trusted issuer id'],
    list: {
      summary: 'List trusted issuers',
      description: 'Newest first.',
      query: querySchema(PageQuerySchema),
      reply: ['A page of trusted issuers', TrustedIssuerPageSchema],
      run: (ctx, { query }) => listTrustedIssuers(ctx, query),
    },
    create: {
      summary: 'Trust an issuer',
      description:
        'Exactly one of jwks and jwks_uri. Its assertions are accepted by the urn:ietf:params:oauth:grant-type:jwt-bearer grant from the next request on.',
      body: TrustedIssuerInputSchema,
      reply: ['Trusted', TrustedIssuerViewSchema],
      run: (ctx, { body }) => createTrustedIssuer(ctx, body),
    },
    get: {
      summary: 'Read a trusted issuer',
      reply: ['The trusted issuer', TrustedIssuerViewSchema],
      run: (ctx, { id }) => getTrustedIssuer(ctx, id),
    },
    update: {
      summary: 'Replace a trusted issuer',
      description: 'Every field; enabled: false refuses its assertions without deleting it.',
      body: TrustedIssuerInputSchema,
      reply: ['Replaced', TrustedIssuerViewSchema],
      run: (ctx, { id, body }) => updateTrustedIssuer(ctx, id, body),
    },
    remove: {
      summary: 'Stop trusting an issuer',
      reply: 'Deleted',
      run: (ctx, { id }) => deleteTrustedIssuer(ctx, id),
    },
  });
}
