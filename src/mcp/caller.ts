/**
 * Who may use the MCP endpoint: a live access token of this server whose audience is `{issuer}/mcp`
 * (RFC 8707; 401 invalid_token otherwise), and whose rights are an administrator's: scope `admin`, or a
 * subject that is an enabled administrator (403 insufficient_scope otherwise). Anonymous dynamic
 * registration never grants scope admin, so an administrator signing in through such a client is the
 * usual way in.
 */
import { isAdministrator } from '../admin/context';
import type { AccessTokenInfo } from '../oauth/access-token';
import { requireAccessToken } from '../oauth/bearer';
import { InsufficientScopeError, InvalidTokenError } from '../oauth/errors';
import type { OAuthContext } from '../oauth/ports';
import { mcpResource } from '../oauth/resource';

export const MCP_REQUIRED_SCOPE = 'admin';

export async function requireMcpCaller(ctx: OAuthContext, token: string | null): Promise<AccessTokenInfo> {
  const info = await requireAccessToken(ctx, token);
  if (!info.aud.includes(mcpResource(ctx.issuer))) {
    throw new InvalidTokenError(`the access token is not for ${mcpResource(ctx.issuer)}`);
  }
  if (info.sub === info.clientId) {
    // A client acting for itself (client_credentials) needs scope admin.
    if (info.scope.split(' ').includes(MCP_REQUIRED_SCOPE)) return info;
    throw new InsufficientScopeError(MCP_REQUIRED_SCOPE);
  }
  // A user's token: the user must still be enabled and an administrator, whatever its scope says.
  const user = await ctx.storage.users.getById(info.sub);
  if (!user?.enabled) throw new InvalidTokenError('the access token is invalid, expired or revoked');
  if (!isAdministrator(user, ctx.config)) throw new InsufficientScopeError(MCP_REQUIRED_SCOPE);
  return info;
}
