/**
 * RFC 7009 token revocation: the caller must own the token; revoking any token revokes its whole
 * grant (token family): its access tokens and its refresh tokens (§2.1). Unknown, expired or malformed
 * tokens are answered like a success (§2.2). Refresh tokens are recognised by their format, so
 * `token_type_hint` is not needed.
 */
import { sha256 } from '../../crypto/hash';
import type { ClientRecord } from '../../storage/ports';
import { InvalidRequestError } from '../errors';
import { tokenRevoked } from '../events';
import { type FormParams, required } from '../form';
import type { OAuthContext } from '../ports';
import { resolveAccessToken } from './access-token';
import { refreshTokenGrantId } from './refresh-token';

export async function revoke(ctx: OAuthContext, params: FormParams, caller: ClientRecord): Promise<void> {
  const token = required(params, 'token');
  const refreshGrantId = refreshTokenGrantId(token);
  if (refreshGrantId) return revokeRefreshToken(ctx, token, refreshGrantId, caller);
  const info = await resolveAccessToken(ctx, token);
  if (!info) return;
  if (info.clientId !== caller.clientId) {
    throw new InvalidRequestError('the token was not issued to this client');
  }
  await ctx.tokens.revoke(info.grantId, info.exp);
  ctx.events.publish(
    tokenRevoked(info.grantId, 'client_request', {
      clientId: caller.clientId,
      userId: info.sub === info.clientId ? null : info.sub,
      tokenKind: 'access_token',
    }),
  );
}

/**
 * Revokes the refresh token's family. An already-rotated token of a live family counts too: a client
 * logging out with a stale token still ends the grant.
 */
async function revokeRefreshToken(
  ctx: OAuthContext,
  token: string,
  grantId: string,
  caller: ClientRecord,
): Promise<void> {
  const state = await ctx.tokens.findRefreshToken(grantId, await sha256(token));
  if (!state) return;
  if (state.family.clientId !== caller.clientId) {
    throw new InvalidRequestError('the token was not issued to this client');
  }
  await ctx.tokens.revoke(grantId, state.family.expiresAt);
  ctx.events.publish(
    tokenRevoked(grantId, 'client_request', {
      clientId: caller.clientId,
      userId: state.family.userId,
      tokenKind: 'refresh_token',
    }),
  );
}
