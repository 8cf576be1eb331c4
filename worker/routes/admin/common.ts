/** What every admin API route shares: OpenAPI security and error responses, query parsing, 405s, no-store. */
import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import type { Query } from '../../../src/admin/paging';
import { MethodNotAllowedError } from '../../../src/oauth/errors';
import { parseForm } from '../../../src/oauth/form';
import type { AppEnv } from '../../context';
import { CSRF_HEADER } from '../../middleware/csrf';
import { OAuthErrorSchema } from '../schemas';

export const ADMIN_TAG = 'Admin';
export const ADMIN_API = '/admin/api';

/** Responses of the admin API are never cached. */
export const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** Reads: an admin-scoped Bearer token, or an administrator's session cookie. */
export const readSecurity: Record<string, string[]>[] = [{ bearer: [] }, { adminSession: [] }];
/** Changes: the same, and with a session its CSRF token in X-CSRF-Token. */
export const writeSecurity: Record<string, string[]>[] = [
  { bearer: [] },
  { adminSession: [], csrfToken: [] },
];

const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: OAuthErrorSchema } },
});

/** The guard's answers, on every admin route. */
const guardResponses = {
  302: { description: 'A signed-in user who is not an administrator is sent to /profile' },
  401: jsonError('No credentials, or an invalid, expired or revoked access token (invalid_token)'),
  403: jsonError(
    'The token lacks scope admin (insufficient_scope), or a session-authenticated change lacks X-CSRF-Token (access_denied)',
  ),
  503: jsonError('Misconfigured or storage unavailable'),
} as const;

export const readErrors = {
  400: jsonError('invalid_request naming the query parameter (limit, offset, cursor, ...)'),
  ...guardResponses,
} as const;

export const itemErrors = { ...readErrors, 404: jsonError('No such record (not_found)') } as const;

export const writeErrors = {
  400: jsonError('invalid_request naming the field'),
  ...guardResponses,
  404: jsonError('No such record (not_found)'),
  409: jsonError('Conflicts with an existing record (invalid_request)'),
  413: jsonError('Body larger than 64 KiB'),
} as const;

/** An admin API route: the Admin tag, and the security of a read or of a change. */
export function adminRoute<
  P extends string,
  R extends Omit<RouteConfig, 'tags' | 'security' | 'path'> & { path: P },
>(access: 'read' | 'write', config: R) {
  return createRoute({
    ...config,
    tags: [ADMIN_TAG],
    security: access === 'write' ? writeSecurity : readSecurity,
  });
}

/** A JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** A JSON 200/201 response. */
export function jsonResponse<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}

/** A path parameter. */
export function pathParam(name: string, description: string) {
  return z.object({ [name]: z.string().meta({ param: { name, in: 'path' }, description }) });
}

/** The query string, strictly parsed (a repeated parameter is invalid_request); empty values are omitted. */
export function adminQuery(c: Context<AppEnv>): Query {
  return Object.fromEntries(parseForm(new URL(c.req.url).search.slice(1)));
}

/** Any other method on `path` answers 405 with Allow. */
export function allowOnly(app: OpenAPIHono<AppEnv>, path: string, allowed: string[]): void {
  const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => !allowed.includes(method));
  app.on(others, path, () => {
    throw new MethodNotAllowedError(allowed.join(', '));
  });
}

/** The security schemes the admin routes name. */
export function registerAdminSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminSession', {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-session',
    description:
      "An administrator's sign-in session (the cookie is named `session` on plain http to loopback)",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'csrfToken', {
    type: 'apiKey',
    in: 'header',
    name: CSRF_HEADER,
    description: 'The CSRF token of the session (GET /admin/api/me answers it as csrf_token)',
  });
}
