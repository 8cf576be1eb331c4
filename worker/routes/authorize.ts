/**
 * GET/POST /oauth/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) and POST /oauth/consent: thin
 * shells over src/oauth/authorize; errors before the redirect URI is proven are HTML error pages.
 */
import type { Context, Hono } from 'hono';
import { authorize, decideConsent } from '../../src/oauth/authorize/flow';
import { AuthorizationPageError, type AuthorizationResponse } from '../../src/oauth/authorize/redirect';
import type { FormParams } from '../../src/oauth/form';
import { registeredItself } from '../../src/oauth/registration/provenance';
import { clientIdentity } from '../../templates/client-identity';
import { ConsentPage } from '../../templates/consent';
import { FormPostPage } from '../../templates/form-post';
import type { AppEnv } from '../context';
import { PageError, pageNonce, renderPage } from '../http/pages';
import { strictQuery } from '../http/query';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { loginRedirect, signedInUser } from '../middleware/session';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';

export const AUTHORIZE_PATH = '/oauth/authorize';
export const CONSENT_PATH = '/oauth/consent';

/** AuthorizationPageError (src/) becomes the browser error page. */
async function pageErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AuthorizationPageError)
      throw new PageError(400, error.message, { title: error.title });
    throw error;
  }
}

/**
 * The Form Post Response Mode page: an auto-submitting form to the client's redirect_uri. Its CSP admits
 * only its own nonce'd script and a form-action of the redirect URI's origin (a private-use scheme: that
 * scheme).
 */
function formPost(
  c: Context<AppEnv>,
  response: Extract<AuthorizationResponse, { kind: 'form_post' }>,
): Response | Promise<Response> {
  const target = new URL(response.action);
  const source = target.origin === 'null' ? target.protocol : target.origin;
  const page = FormPostPage({ nonce: pageNonce(c), action: response.action, fields: response.fields });
  return renderPage(c, page, 200, { formPostTo: source });
}

async function handleAuthorize(c: Context<AppEnv>, params: FormParams, status: 302 | 303): Promise<Response> {
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  const outcome = await pageErrors(() => authorize(ctx, params, signedInUser(c)));
  c.header('Cache-Control', 'no-store');
  switch (outcome.kind) {
    case 'redirect':
      return c.redirect(outcome.location, status);
    case 'form_post':
      return formPost(c, outcome);
    case 'login': {
      // Back here afterwards as a GET naming only the request held server-side.
      const query = new URLSearchParams({ client_id: outcome.clientId, request_uri: outcome.requestUri });
      return loginRedirect(c, `${AUTHORIZE_PATH}?${query}`, {
        ...(outcome.forceLogin ? { prompt: 'login' as const } : {}),
        ...(outcome.loginHint !== null ? { loginHint: outcome.loginHint } : {}),
        ...(outcome.stepUp ? { reason: 'mfa' as const } : {}),
      });
    }
    case 'consent': {
      const session = c.get('session');
      const identity = clientIdentity(outcome.client);
      const page = ConsentPage({
        nonce: pageNonce(c),
        csrfToken: await csrfToken(c),
        action: CONSENT_PATH,
        requestId: outcome.requestId,
        clientName: identity.name,
        clientUri:
          typeof outcome.client.metadata.client_uri === 'string' ? outcome.client.metadata.client_uri : null,
        logoUri: identity.logoUri,
        policyUri: identity.policyUri,
        tosUri: identity.tosUri,
        scopes: c.get('config').scopes.describe(outcome.scopes),
        selfRegistered: registeredItself(outcome.client),
        username: session?.username ?? '',
      });
      // The client's logo is an https URL it registered: only this page's img-src allows https:.
      return renderPage(c, page, 200, { redirectsToClient: true, clientImages: identity.logoUri !== null });
    }
  }
}

export function registerAuthorizeRoutes(app: Hono<AppEnv>): void {
  app.get(AUTHORIZE_PATH, (c) => handleAuthorize(c, strictQuery(c), 302));
  app.post(AUTHORIZE_PATH, async (c) => handleAuthorize(c, await readForm(c.req.raw), 303));

  app.post(CONSENT_PATH, async (c) => {
    const form = await readForm(c.req.raw);
    await verifyCsrf(c, form);
    const user = signedInUser(c);
    if (!user) throw new PageError(401, 'Your session ended. Start again from the application.');
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const response = await pageErrors(() => decideConsent(ctx, form, user));
    c.header('Cache-Control', 'no-store');
    return response.kind === 'form_post' ? formPost(c, response) : c.redirect(response.location, 303);
  });
}
