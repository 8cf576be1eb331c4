/**
 * RFC 7009 token revocation: the caller must own the token; revoking any token revokes its whole
 * grant (token family). Unknown, expired or malformed tokens are answered like a success (§2.2).
 */
import type { ClientRecord } from '../storage/ports';
import { resolveAccessToken } from './access-token';
import { InvalidRequestError } from './errors';
import { type FormParams, required } from './form';
import type { OAuthContext } from './ports';

export async function revoke(ctx: OAuthContext, params: FormParams, caller: ClientRecord): Promise<void> {
  const info = await resolveAccessToken(ctx, required(params, 'token'));
  if (!info) return;
  if (info.clientId !== caller.clientId) {
    throw new InvalidRequestError('the token was not issued to this client');
  }
  await ctx.tokens.revokeGrant(info.grantId, info.exp);
}
