/**
 * OpenID Connect RP-Initiated Logout 1.0: `id_token_hint` (an ID token of ours; an expired one is still
 * accepted, §2), `client_id`, a registered `post_logout_redirect_uri`, and `state`. Only a valid hint
 * proves which client asks, so only a request with one is ever redirected (§3); without it the browser
 * stays on our "signed out" page, or anyone could bounce users off this server to any client's URIs.
 */
import { InvalidRequestError } from '../oauth/errors';
import type { FormParams } from '../oauth/form';
import type { OAuthContext } from '../oauth/ports';
import { type IdTokenSubject, verifyIdTokenHint } from './id-token';

export interface LogoutRequest {
  /** The user the hint names, when a valid hint was sent. */
  hintSubject: string | null;
  /** Where to send the browser afterwards (registered for the hint's client), with `state`; null: our page. */
  redirectTo: string | null;
}

const MAX_STATE_LENGTH = 4096;

export async function validateLogoutRequest(ctx: OAuthContext, params: FormParams): Promise<LogoutRequest> {
  const hint = params.get('id_token_hint');
  const claims = hint === undefined ? null : await verifyIdTokenHint(ctx, hint);
  if (hint !== undefined && !claims) {
    throw new InvalidRequestError('id_token_hint is not an ID token issued by this server');
  }
  const clientId = params.get('client_id');
  if (claims && clientId !== undefined && !claims.aud.includes(clientId)) {
    throw new InvalidRequestError('client_id does not match the id_token_hint');
  }
  const redirectUri = params.get('post_logout_redirect_uri');
  if (redirectUri === undefined || !claims) return { hintSubject: claims?.sub ?? null, redirectTo: null };
  return {
    hintSubject: claims.sub,
    redirectTo: await redirectTarget(ctx, claims, clientId, redirectUri, params),
  };
}

/** The registered `redirectUri` of the hint's client, with `state`; a URI it did not register is refused. */
async function redirectTarget(
  ctx: OAuthContext,
  claims: IdTokenSubject,
  clientId: string | undefined,
  redirectUri: string,
  params: FormParams,
): Promise<string> {
  const owner = clientId ?? (claims.aud.length === 1 ? claims.aud[0] : undefined);
  const client = owner === undefined ? null : await ctx.clients.get(owner);
  const registered = client?.metadata.post_logout_redirect_uris;
  if (!client?.enabled || !Array.isArray(registered) || !registered.includes(redirectUri)) {
    throw new InvalidRequestError('post_logout_redirect_uri is not registered for this client');
  }
  const state = params.get('state');
  if (state !== undefined && state.length > MAX_STATE_LENGTH) {
    throw new InvalidRequestError('state is too long');
  }
  const url = new URL(redirectUri);
  if (state !== undefined) url.searchParams.append('state', state);
  return url.toString();
}
