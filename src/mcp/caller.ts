/**
 * Who may use the MCP endpoint: a live access token of this server whose audience is `{issuer}/mcp`
 * (RFC 8707; 401 invalid_token otherwise). Any enabled user's token connects and gets the self-service
 * tools; the admin tools need the token to administer (scope `admin`, src/oauth/scopes/admin-scope.ts). A
 * client acting for itself has no self to serve, so its token needs scope `admin` to connect at all.
 */

import { InsufficientScopeError, InvalidTokenError } from '../oauth/errors';
import type { OAuthContext } from '../oauth/ports';
import { mcpResource } from '../oauth/resources/indicators';
import { ADMIN_SCOPE, mayAdminister, tokenSubject } from '../oauth/scopes/admin-scope';
import type { AccessTokenInfo } from '../oauth/tokens/access-token';
import { requireAccessToken } from '../oauth/tokens/bearer';
import type { UserRecord } from '../storage/ports';

export interface McpCaller {
  token: AccessTokenInfo;
  /** The signed-in user the token acts for; null for a client's own token. */
  user: UserRecord | null;
  /** Whether the admin tools are offered and may be called. */
  admin: boolean;
}

export async function requireMcpCaller(ctx: OAuthContext, token: string | null): Promise<McpCaller> {
  const info = await requireAccessToken(ctx, token);
  if (!info.aud.includes(mcpResource(ctx.issuer))) {
    throw new InvalidTokenError(`the access token is not for ${mcpResource(ctx.issuer)}`);
  }
  const subject = await tokenSubject(ctx, info);
  const admin = mayAdminister(info, subject, ctx.config);
  if (subject.kind === 'client') {
    if (!admin) throw new InsufficientScopeError(ADMIN_SCOPE);
    return { token: info, user: null, admin };
  }
  return { token: info, user: subject.user, admin };
}
