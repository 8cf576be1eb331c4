/**
 * OpenID Connect RP-Initiated Logout 1.0: `id_token_hint` (verified against our keys; an expired hint
 * is still accepted, §2), `client_id`, a registered `post_logout_redirect_uri`, and `state`.
 */
import { compactVerify, decodeProtectedHeader } from 'jose';
import { InvalidRequestError } from '../oauth/errors';
import type { FormParams } from '../oauth/form';
import type { OAuthContext } from '../oauth/ports';

export interface LogoutRequest {
  /** The user the hint names, when a valid hint was sent. */
  hintSubject: string | null;
  /** Where to send the browser afterwards (registered for the client), with `state`; null: our page. */
  redirectTo: string | null;
}

const MAX_STATE_LENGTH = 4096;

export async function validateLogoutRequest(ctx: OAuthContext, params: FormParams): Promise<LogoutRequest> {
  const hint = params.get('id_token_hint');
  const claims = hint === undefined ? null : await verifyHint(ctx, hint);
  const clientId = params.get('client_id');
  if (claims && clientId !== undefined && !claims.aud.includes(clientId)) {
    throw new InvalidRequestError('client_id does not match the id_token_hint');
  }
  const redirectUri = params.get('post_logout_redirect_uri');
  if (redirectUri === undefined) return { hintSubject: claims?.sub ?? null, redirectTo: null };
  const owner = clientId ?? (claims?.aud.length === 1 ? claims.aud[0] : undefined);
  const client = owner === undefined ? null : await ctx.clients.get(owner);
  const registered = client?.metadata.post_logout_redirect_uris;
  if (!client?.enabled || !Array.isArray(registered) || !registered.includes(redirectUri)) {
    throw new InvalidRequestError('post_logout_redirect_uri is not registered for this client');
  }
  const state = params.get('state');
  if (state !== undefined && state.length > MAX_STATE_LENGTH)
    throw new InvalidRequestError('state is too long');
  const url = new URL(redirectUri);
  if (state !== undefined) url.searchParams.append('state', state);
  return { hintSubject: claims?.sub ?? null, redirectTo: url.toString() };
}

async function verifyHint(ctx: OAuthContext, hint: string): Promise<{ sub: string; aud: string[] }> {
  try {
    const { kid } = decodeProtectedHeader(hint);
    const key = kid === undefined ? null : await ctx.keys.verificationKey(kid);
    if (!key) throw new Error('unknown key');
    const { payload } = await compactVerify(hint, key.publicKey, { algorithms: [key.alg] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as {
      iss?: unknown;
      sub?: unknown;
      aud?: unknown;
    };
    const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (claims.iss !== ctx.issuer || typeof claims.sub !== 'string' || !Array.isArray(aud))
      throw new Error('claims');
    return { sub: claims.sub, aud: aud.filter((item): item is string => typeof item === 'string') };
  } catch {
    throw new InvalidRequestError('id_token_hint is not an ID token issued by this server');
  }
}
