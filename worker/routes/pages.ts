/**
 * GET / (to the profile), GET /profile (the signed-in user's page, with the apps connected to their
 * account; anonymous visitors sign in first) and POST /profile/connected-apps/revoke (a form: CSRF token
 * and `grant_id`; revokes one of the user's own grants, then 303 back to the profile).
 */
import type { Hono } from 'hono';
import { listConnectedApps, revokeConnectedApp } from '../../src/account/connected-apps';
import { ProfilePage } from '../../templates/profile';
import type { AppEnv } from '../context';
import { accountContext } from '../http/admin-context';
import { PageError, pageNonce, renderPage } from '../http/pages';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { loginRedirect } from '../middleware/session';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';

export const PROFILE_PATH = '/profile';
export const REVOKE_CONNECTED_APP_PATH = '/profile/connected-apps/revoke';

export function registerPageRoutes(app: Hono<AppEnv>): void {
  app.get('/', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.redirect(PROFILE_PATH, 302);
  });

  app.get(PROFILE_PATH, async (c) => {
    const session = c.get('session');
    if (!session) return loginRedirect(c, PROFILE_PATH);
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const page = ProfilePage({
      nonce: pageNonce(c),
      csrfToken: await csrfToken(c),
      user: session,
      connectedApps: await listConnectedApps(ctx, session.userId),
      revokeAction: REVOKE_CONNECTED_APP_PATH,
    });
    return renderPage(c, page);
  });

  app.post(REVOKE_CONNECTED_APP_PATH, async (c) => {
    const form = await readForm(c.req.raw);
    await verifyCsrf(c, form);
    const session = c.get('session');
    if (!session) throw new PageError(401, 'Your session ended. Sign in and try again.');
    const grantId = form.get('grant_id');
    if (grantId === undefined || grantId.length === 0) {
      throw new PageError(400, 'The form was not understood.', { title: 'Invalid request' });
    }
    const user = { id: session.userId, username: session.username };
    await revokeConnectedApp(accountContext(c, user, 'session', null), session.userId, grantId);
    c.header('Cache-Control', 'no-store');
    return c.redirect(PROFILE_PATH, 303);
  });
}
