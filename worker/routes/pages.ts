/** GET / (to the profile) and GET /profile (the signed-in user's page; anonymous visitors sign in first). */
import type { Hono } from 'hono';
import { ProfilePage } from '../../templates/profile';
import type { AppEnv } from '../context';
import { csrfToken } from '../middleware/csrf';
import { loginRedirect } from '../middleware/session';
import { pageNonce, renderPage } from '../pages';

export const PROFILE_PATH = '/profile';

export function registerPageRoutes(app: Hono<AppEnv>): void {
  app.get('/', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.redirect(PROFILE_PATH, 302);
  });

  app.get(PROFILE_PATH, async (c) => {
    const session = c.get('session');
    if (!session) return loginRedirect(c, PROFILE_PATH);
    const page = ProfilePage({ nonce: pageNonce(c), csrfToken: await csrfToken(c), user: session });
    return renderPage(c, page);
  });
}
