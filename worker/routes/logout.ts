/**
 * GET/POST /oauth/logout: OpenID Connect RP-Initiated Logout. A valid id_token_hint naming the
 * signed-in user signs out at once; otherwise the user confirms with a CSRF-protected form (§2:
 * the OP should ask, so a third party cannot sign people out).
 *
 * Front-Channel Logout 1.0: when the ended session's clients registered a `frontchannel_logout_uri`,
 * the "signed out" page loads each in a hidden iframe (CSP `frame-src` lists exactly their origins, on
 * this page only) and, instead of a 302, sends the browser on to the `post_logout_redirect_uri` by a
 * meta refresh and a link (pages run no script), so the frames get to load first.
 */
import type { Context, Hono } from 'hono';
import type { FormParams } from '../../src/oauth/form';
import { type FrontchannelFrame, frontchannelLogoutFrames } from '../../src/oidc/frontchannel-logout';
import { validateLogoutRequest } from '../../src/oidc/logout';
import { LogoutConfirmPage, SignedOutPage } from '../../templates/logout';
import type { AppEnv } from '../context';
import { pageCsp, pageNonce, renderPage, setPageHeaders } from '../http/pages';
import { strictQuery } from '../http/query';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { signOut } from '../middleware/session';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';

export const LOGOUT_ENDPOINT = '/oauth/logout';
const CARRIED = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'];

async function finish(c: Context<AppEnv>, redirectTo: string | null, status: 302 | 303): Promise<Response> {
  const session = c.get('session');
  const frames = session
    ? await frontchannelLogoutFrames(oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c)), {
        userId: session.userId,
        sid: session.sid,
      })
    : [];
  await signOut(c);
  c.header('Cache-Control', 'no-store');
  if (frames.length > 0) return renderFramesPage(c, frames, redirectTo);
  if (redirectTo) return c.redirect(redirectTo, status);
  return renderPage(c, SignedOutPage({ nonce: pageNonce(c) }));
}

/** The signed-out page with the front-channel logout iframes; `frame-src` allows exactly their origins. */
async function renderFramesPage(
  c: Context<AppEnv>,
  frames: FrontchannelFrame[],
  continueTo: string | null,
): Promise<Response> {
  const nonce = pageNonce(c);
  setPageHeaders(c);
  const origins = [...new Set(frames.map((frame) => frame.origin))];
  c.header('Content-Security-Policy', `${pageCsp(nonce)}; frame-src ${origins.join(' ')}`);
  return c.html(SignedOutPage({ nonce, frames: frames.map((frame) => frame.src), continueTo }), 200);
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
