/**
 * RFC 8707 resource indicators: the `resource` parameter of the authorization and token requests
 * (absolute URI, no fragment, may repeat), the resources this server knows (its own APIs, its MCP
 * endpoint and the operator's OAUTH2_PROTECTED_RESOURCES), and the audience of the tokens it issues.
 */
import { InvalidScopeError, InvalidTargetError } from '../errors';
import { allValues, type FormParams } from '../form';
import type { ScopeRegistry } from '../scopes/registry';

/** The path of this server's own MCP endpoint (resource `{issuer}/mcp`). */
export const MCP_PATH = '/mcp';
/**
 * The scopes of the MCP endpoint (RFC 9728 scopes_supported, which an MCP client asks for): who the user
 * is, staying connected, and `admin` for the admin tools (narrowed away for a user who is no administrator).
 */
export const MCP_SCOPES = ['openid', 'offline_access', 'admin'];

const MAX_RESOURCE_LENGTH = 2000;
const MAX_RESOURCES = 10;
/** RFC 3986 URIs are printable ASCII. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** A resource this server issues tokens for. */
export interface KnownResource {
  resource: string;
  scopesSupported: string[];
  name: string | undefined;
  /** Served by this server itself (its own APIs, /mcp), so its tokens are accepted here. */
  own: boolean;
}

/**
 * What the resource checks read of the configuration (`Config`, src/config.ts): the operator's
 * OAUTH2_PROTECTED_RESOURCES (src/oauth/resources/config.ts, whose parsing needs this module).
 */
export interface ResourceSettings {
  protectedResources: readonly Omit<KnownResource, 'own'>[];
}

/** Why `value` is not a resource indicator (RFC 8707 §2: absolute URI without fragment), or null. */
export function resourceProblem(value: string): string | null {
  if (value.length > MAX_RESOURCE_LENGTH) return `is longer than ${MAX_RESOURCE_LENGTH} characters`;
  if (!PRINTABLE_ASCII.test(value)) return 'must not contain spaces, control or non-ASCII characters';
  if (value.includes('#')) return 'must not contain a fragment';
  const url = URL.parse(value);
  if (!url || !/^[a-z][a-z0-9+.-]*:/i.test(value)) return 'must be an absolute URI';
  return null;
}

/** `{issuer}/mcp`: the resource identifier of the MCP endpoint. */
export function mcpResource(issuer: string): string {
  return `${issuer}${MCP_PATH}`;
}

/** Every resource this server issues tokens for: itself, its MCP endpoint, then the configured ones. */
export function knownResources(issuer: string, config: ResourceSettings): KnownResource[] {
  const own: KnownResource[] = [
    { resource: issuer, scopesSupported: [], name: 'OAuth server APIs (UserInfo, admin API)', own: true },
    { resource: mcpResource(issuer), scopesSupported: MCP_SCOPES, name: 'MCP server', own: true },
  ];
  const configured = config.protectedResources
    .filter((entry) => !own.some((item) => item.resource === entry.resource))
    .map((entry) => ({ ...entry, own: false }));
  return [...own, ...configured];
}

/**
 * The `resource` values of a request (distinct, in order), each a known resource; invalid_target
 * otherwise (RFC 8707 §2).
 */
export function requestedResources(params: FormParams, issuer: string, config: ResourceSettings): string[] {
  const values = [...new Set(allValues(params, 'resource'))];
  if (values.length > MAX_RESOURCES)
    throw new InvalidTargetError(`too many resources (at most ${MAX_RESOURCES})`);
  const known = new Set(knownResources(issuer, config).map((entry) => entry.resource));
  for (const value of values) {
    const problem = resourceProblem(value);
    if (problem) throw new InvalidTargetError(`resource ${problem}`);
    if (!known.has(value))
      throw new InvalidTargetError('resource is not a resource this server issues tokens for');
  }
  return values;
}

/**
 * RFC 8707 §2.2: a token request may only narrow the resources its grant was authorized for. A grant
 * that named none authorizes the default audience (the client) only, so then any `resource` is outside
 * it: otherwise a code or refresh token issued for the client would buy a token for another audience.
 */
export function withinGrantedResources(
  requested: readonly string[] | undefined,
  granted: readonly string[] | undefined,
): boolean {
  return (requested ?? []).every((resource) => granted?.includes(resource) === true);
}

/**
 * The resources a grant of `scopes` is for, one audience per token: those the request named, each of
 * which must hold the API of every API-bound scope asked for; or, with none named, the one API the
 * scopes belong to (none: no resource, so the client is the audience). Scopes of two APIs without a
 * `resource` are invalid_scope: a token carries one API's scopes.
 */
export function resourcesForScopes(
  scopes: readonly string[],
  requested: readonly string[],
  registry: ScopeRegistry,
): string[] {
  if (requested.length > 0) {
    const outside = scopes.filter((scope) => {
      const api = registry.apiFor(scope);
      return api !== undefined && !requested.includes(api);
    });
    if (outside.length > 0) {
      throw new InvalidScopeError(
        `scope ${outside.join(' ')} is for another resource than the one requested`,
      );
    }
    return [...requested];
  }
  const apis = [...new Set(scopes.flatMap((scope) => registry.apiFor(scope) ?? []))];
  if (apis.length > 1) {
    throw new InvalidScopeError(
      `scopes of more than one API in one request (${apis.join(' ')}): ask for one API's scopes per token, or name the resources`,
    );
  }
  return apis;
}

/**
 * The default scopes (none asked for) narrowed to the requested resources: a scope of another API
 * is left out rather than refused, since the client did not name it.
 */
export function defaultScopesFor(
  scopes: readonly string[],
  requested: readonly string[],
  registry: ScopeRegistry,
): string[] {
  if (requested.length === 0) return [...scopes];
  return scopes.filter((scope) => {
    const api = registry.apiFor(scope);
    return api === undefined || requested.includes(api);
  });
}

/**
 * The scopes and resources of a request: with no scope asked for, the default scopes narrowed to the
 * requested resources; then the resources those scopes are for (`resourcesForScopes`).
 */
export function scopeTarget(
  scopes: readonly string[],
  askedForScope: boolean,
  requested: readonly string[],
  registry: ScopeRegistry,
): { scopes: string[]; resources: string[] } {
  const narrowed = askedForScope ? [...scopes] : defaultScopesFor(scopes, requested, registry);
  return { scopes: narrowed, resources: resourcesForScopes(narrowed, requested, registry) };
}

/** The `aud` of an access token: its resources, or (without any) the client itself, as before RFC 8707. */
export function audienceFor(resources: readonly string[], clientId: string): string[] {
  return resources.length > 0 ? [...resources] : [clientId];
}

/**
 * True when a token may be used at this server's own endpoints (UserInfo, admin API, registration):
 * its audience is the client (no resource was asked for), the server, or its MCP endpoint. A token
 * restricted to another resource is refused here (RFC 8707 §1, RFC 9068 §4).
 */
export function isOwnAudience(aud: readonly string[], clientId: string, issuer: string): boolean {
  return aud.some((value) => value === clientId || value === issuer || value === mcpResource(issuer));
}
