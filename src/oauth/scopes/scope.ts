/** RFC 6749 §3.3 scope: space-delimited, case-sensitive scope-tokens of %x21 / %x23-5B / %x5D-7E. */
import { InvalidScopeError } from '../errors';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const MAX_SCOPES = 64;

/** Scopes a client never receives unless it asks for them by name. */
export const PRIVILEGED_SCOPES = new Set(['admin']);

/** OpenID Connect scopes: about a user, so not granted by default to a client acting for itself. */
export const USER_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Whether `value` is one RFC 6749 §3.3 scope-token. */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/** Parses a scope parameter into distinct tokens, in request order. */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  const tokens = scope.split(' ').filter((token) => token.length > 0);
  if (tokens.length > MAX_SCOPES) throw new InvalidScopeError(`too many scopes (at most ${MAX_SCOPES})`);
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token))
      throw new InvalidScopeError('scope contains characters RFC 6749 §3.3 does not allow');
  }
  return [...new Set(tokens)];
}

/**
 * What grantScope asks of the scope registry (`ScopeRegistry`, src/oauth/scopes/registry.ts, which
 * builds on this module's scope syntax).
 */
export interface KnownScopes {
  isKnown(name: string): boolean;
  unknown(names: readonly string[]): string[];
}

/**
 * The scope to grant: the requested scopes when all are known to this server and registered for the
 * client (invalid_scope naming the others), or by default every registered scope this server still
 * knows except the privileged ones.
 */
export function grantScope(
  requested: string | undefined,
  registered: string,
  registry: KnownScopes,
  notByDefault: ReadonlySet<string> = PRIVILEGED_SCOPES,
): string[] {
  const allowed = new Set(parseScope(registered));
  const asked = parseScope(requested);
  if (asked.length === 0) {
    return [...allowed].filter(
      (scope) => registry.isKnown(scope) && !PRIVILEGED_SCOPES.has(scope) && !notByDefault.has(scope),
    );
  }
  const unknown = registry.unknown(asked);
  if (unknown.length > 0)
    throw new InvalidScopeError(`scope not supported by this server: ${unknown.join(' ')}`);
  const refused = asked.filter((scope) => !allowed.has(scope));
  if (refused.length > 0)
    throw new InvalidScopeError(`scope not allowed for this client: ${refused.join(' ')}`);
  return asked;
}
