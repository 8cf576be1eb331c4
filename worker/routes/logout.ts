/**
 * GET/POST /oauth/logout: OpenID Connect RP-Initiated Logout. A valid id_token_hint naming the
 * signed-in user signs out at once; otherwise the user confirms with a CSRF-protected form (§2:
 * the OP should ask, so a third party cannot sign people out).
 */
import type { Context, Hono } from 'hono';
import type { FormParams } from '../../src/oauth/form';
import { validateLogoutRequest } from '../../src/oidc/logout';
import { LogoutConfirmPage, SignedOutPage } from '../../templates/logout';
import type { AppEnv } from '../context';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { signOut } from '../middleware/session';
import { pageNonce, renderPage } from '../pages';
import { executionContextOf } from '../request-storage';
import { oauthContext } from '../services';
import { strictQuery } from './auth';

export const LOGOUT_ENDPOINT = '/oauth/logout';
const CARRIED = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'];

async function finish(c: Context<AppEnv>, redirectTo: string | null, status: 302 | 303): Promise<Response> {
  await signOut(c);
  c.header('Cache-Control', 'no-store');
  if (redirectTo) return c.redirect(redirectTo, status);
  return renderPage(c, SignedOutPage({ nonce: pageNonce(c) }));
}

async function handle(c: Context<AppEnv>, params: FormParams, confirmed: boolean): Promise<Response> {
  const request = await validateLogoutRequest(
    oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c)),
    params,
  );
  const session = c.get('session');
  // RFC 9700 §4.12: a POST is answered with 303, so the browser never re-posts the form to the client.
  const status = c.req.method === 'POST' ? 303 : 302;
  if (!session || confirmed || request.hintSubject === session.userId)
    return finish(c, request.redirectTo, status);
  const hidden: Record<string, string> = {};
  for (const name of CARRIED) {
    const value = params.get(name);
    if (value !== undefined) hidden[name] = value;
  }
  const page = LogoutConfirmPage({
    nonce: pageNonce(c),
    csrfToken: await csrfToken(c),
    action: LOGOUT_ENDPOINT,
    username: session.username,
    hidden,
  });
  return renderPage(c, page, 200, { redirectsToClient: true });
}

export function registerLogoutRoutes(app: Hono<AppEnv>): void {
  app.get(LOGOUT_ENDPOINT, (c) => handle(c, strictQuery(c), false));
  app.post(LOGOUT_ENDPOINT, async (c) => {
    const form = await readForm(c.req.raw);
    const confirmed = form.get('decision') === 'logout';
    if (confirmed) await verifyCsrf(c, form);
    return handle(c, form, confirmed);
  });
}
