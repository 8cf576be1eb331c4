/**
 * Administration is the scope `admin`, on every path (the admin API, the admin tools of /mcp) and for
 * every audience. A client acting for itself holds it only when an administrator registered it with it;
 * a user's token carries it only while the user is an enabled administrator. Anyone else asking for it
 * has it narrowed away (RFC 6749 §3.3: the token response's `scope` says what was granted).
 */
import type { Config } from '../../config';
import type { UserRecord, UserRole } from '../../storage/ports';
import { InsufficientScopeError, InvalidTokenError } from '../errors';
import type { OAuthContext } from '../ports';
import type { AccessTokenInfo } from '../tokens/access-token';

export const ADMIN_SCOPE = 'admin';

/** What decides whether a user may administer. */
export interface AdminCandidate {
  role: UserRole;
  email: string | null;
  emailVerified: boolean;
}

/**
 * Whether a user may administer: role `admin`, or a verified e-mail listed in OAUTH2_ADMIN_EMAILS
 * (compared case-insensitively). An unverified address proves nothing about who holds the account.
 */
export function isAdministrator(user: AdminCandidate, config: Pick<Config, 'adminEmails'>): boolean {
  if (user.role === 'admin') return true;
  return user.email !== null && user.emailVerified && config.adminEmails.includes(user.email.toLowerCase());
}

/** Whether a space-separated scope (or a list) names `admin`. */
export function hasAdminScope(scope: string | readonly string[]): boolean {
  const scopes = typeof scope === 'string' ? scope.split(' ') : scope;
  return scopes.includes(ADMIN_SCOPE);
}

/** The scopes a user may be granted: `admin` only for an enabled administrator. */
export function scopesForUser(
  scopes: readonly string[],
  user: (AdminCandidate & { enabled: boolean }) | null,
  config: Pick<Config, 'adminEmails'>,
): string[] {
  const mayAdminister = user?.enabled === true && isAdministrator(user, config);
  return mayAdminister ? [...scopes] : scopes.filter((scope) => scope !== ADMIN_SCOPE);
}

/** `scopes` narrowed for the user `userId` as stored now (looked up only when `admin` is asked for). */
export async function grantableScopes(
  ctx: OAuthContext,
  scopes: readonly string[],
  userId: string,
): Promise<string[]> {
  if (!hasAdminScope(scopes)) return [...scopes];
  return scopesForUser(scopes, await ctx.storage.users.getById(userId), ctx.config);
}

/** Who a live access token acts for: the client itself (client_credentials), or a user. */
export type TokenSubject = { kind: 'client'; clientId: string } | { kind: 'user'; user: UserRecord };

/** The token's subject; a user who is gone or disabled makes the token invalid (401). */
export async function tokenSubject(ctx: OAuthContext, info: AccessTokenInfo): Promise<TokenSubject> {
  if (info.sub === info.clientId) return { kind: 'client', clientId: info.clientId };
  const user = await ctx.storage.users.getById(info.sub);
  if (!user?.enabled) throw new InvalidTokenError('the access token is invalid, expired or revoked');
  return { kind: 'user', user };
}

/** Whether the token may administer now: scope `admin`, and for a user's token an administrator still. */
export function mayAdminister(info: AccessTokenInfo, subject: TokenSubject, config: Config): boolean {
  if (!hasAdminScope(info.scope)) return false;
  return subject.kind === 'client' || isAdministrator(subject.user, config);
}

/** The admin rights of a live access token, or 403 insufficient_scope naming `admin`. */
export async function requireAdministration(ctx: OAuthContext, info: AccessTokenInfo): Promise<TokenSubject> {
  if (!hasAdminScope(info.scope)) throw new InsufficientScopeError(ADMIN_SCOPE);
  const subject = await tokenSubject(ctx, info);
  if (!mayAdminister(info, subject, ctx.config)) throw new InsufficientScopeError(ADMIN_SCOPE);
  return subject;
}
