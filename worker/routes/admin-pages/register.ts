/**
 * The admin pages under /admin: server-rendered HTML forms, no script. Every route runs behind
 * the AdminGuard (administrator, and the CSRF token on every POST); each change answers 303 to a page
 * (post/redirect/get), a refused one shows its form again with the message and the input.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import type { OAuthError } from '../../../src/oauth/errors';
import { sectionOf } from '../../../templates/admin/layout';
import { AdminNotFoundPage } from '../../../templates/admin/not-found';
import type { AppEnv } from '../../context';
import { PageError } from '../../http/pages';
import { isAdminApiPath, toOAuthError, wantsErrorPage } from '../../middleware/errors';
import { registerClientPages } from './clients';
import { chrome, render } from './common';
import { registerDashboardPages } from './dashboard';
import { registerDenylistPages } from './denylist';
import { registerDeviceAuthorizationPages } from './device-authorizations';
import { registerGrantPages } from './grants';
import { registerKeyPages } from './keys';
import { registerMetricsPages } from './metrics';
import { registerResourcePages } from './resources';
import { registerScopePages } from './scopes';
import { registerTrustedIssuerPages } from './trusted-issuers';
import { registerUserPages } from './users';

/** What an admin page's 404 says: the error's own message as a sentence. */
function notFoundMessage(error: OAuthError): string {
  const text = error.message.trim() || 'Not found';
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * A 404 of an admin page (an unknown path, or a record that does not exist) keeps the admin layout and
 * its navigation, in place of the bare error page `onError` answered. It runs after the AdminGuard: a
 * visitor who is not an administrator never gets here (sign-in redirect, /profile, or the JSON 401 of the
 * API); the JSON API, and a caller asking for JSON, keep the JSON 404 (`wantsErrorPage`). `c.error` stays
 * set, for the request metrics.
 */
const adminNotFound: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const error = c.error;
  if (error === undefined || !wantsErrorPage(c) || c.get('admin') === undefined) return;
  const known = toOAuthError(error);
  if (known?.status !== 404) return;
  const page = AdminNotFoundPage({
    chrome: await chrome(c, sectionOf(c.req.path)),
    message: notFoundMessage(known),
  });
  c.res = await render(c, page, 404);
};

export function registerAdminPageRoutes(app: Hono<AppEnv>): void {
  app.use('/admin/*', adminNotFound);
  registerDashboardPages(app);
  registerClientPages(app);
  registerScopePages(app);
  registerResourcePages(app);
  registerTrustedIssuerPages(app);
  registerUserPages(app);
  registerGrantPages(app);
  registerKeyPages(app);
  registerDenylistPages(app);
  registerDeviceAuthorizationPages(app);
  registerMetricsPages(app);
  // Any other page path: the HTML 404 page (the JSON API keeps its JSON 404).
  app.all('/admin/*', async (c, next) => {
    if (isAdminApiPath(c.req.path)) return next();
    throw new PageError(404, 'There is no admin page at this address.');
  });
}
