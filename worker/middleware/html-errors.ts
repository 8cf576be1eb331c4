/**
 * Browser routes answer errors as HTML error pages instead of JSON. The app's `onError` has already
 * run (and logged anything unknown) when this middleware sees `c.error`; it replaces that JSON answer
 * with the error page, keeping the status and the error's own headers (Allow, Retry-After, ...).
 */
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../context';
import { errorTitle, PageError, renderErrorPage } from '../pages';
import { toOAuthError } from './errors';

/** JSON APIs under browser prefixes keep their JSON errors. */
const JSON_PREFIXES = ['/admin/api/'];

export const htmlErrors: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const error = c.error;
  if (error === undefined || JSON_PREFIXES.some((prefix) => c.req.path.startsWith(prefix))) return;
  const known = toOAuthError(error);
  const status = (known?.status ?? 500) as ContentfulStatusCode;
  const page = await renderErrorPage(c, {
    status,
    title: error instanceof PageError ? error.title : errorTitle(status),
    description:
      known && status < 500
        ? known.message
        : status === 503
          ? 'The service is temporarily unavailable. Try again in a moment.'
          : 'Something went wrong on our side. Try again later.',
  });
  // Assigning keeps the JSON answer's headers except its Content-Type: Allow, Retry-After, no-store.
  c.res = page;
};
