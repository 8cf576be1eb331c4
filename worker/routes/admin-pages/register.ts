/**
 * The admin pages under /admin: server-rendered HTML forms, no script. Every route runs behind
 * the AdminGuard (administrator, and the CSRF token on every POST); each change answers 303 to a page
 * (post/redirect/get), a refused one shows its form again with the message and the input.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../context';
import { isAdminApiPath } from '../../middleware/admin-guard';
import { PageError } from '../../pages';
import { registerClientPages } from './clients';
import { registerDashboardPages } from './dashboard';
import { registerDenylistPages } from './denylist';
import { registerGrantPages } from './grants';
import { registerKeyPages } from './keys';
import { registerResourcePages } from './resources';
import { registerScopePages } from './scopes';
import { registerUserPages } from './users';

export function registerAdminPageRoutes(app: Hono<AppEnv>): void {
  registerDashboardPages(app);
  registerClientPages(app);
  registerScopePages(app);
  registerResourcePages(app);
  registerUserPages(app);
  registerGrantPages(app);
  registerKeyPages(app);
  registerDenylistPages(app);
  // Any other page path: the HTML 404 page (the JSON API keeps its JSON 404).
  app.all('/admin/*', async (c, next) => {
    if (isAdminApiPath(c.req.path)) return next();
    throw new PageError(404, 'There is no admin page at this address.');
  });
}
