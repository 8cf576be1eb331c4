/**
 * RFC 9728 OAuth 2.0 Protected Resource Metadata for the resources this server fronts: the metadata
 * document (§2), its well-known URL by path insertion (§3.1), and the `resource_metadata` parameter of
 * the WWW-Authenticate challenge (§5.1).
 */
import type { Config } from '../../config';
import { type KnownResource, knownResources } from './indicators';

export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** §3.1: `/.well-known/oauth-protected-resource` inserted between the host and the path of the resource. */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${url.search}`;
}

/** The resource (fronted by this server, so on its origin) whose metadata lives at `requestUrl`, or null. */
export function resourceAtMetadataUrl(
  requestUrl: string,
  issuer: string,
  config: Config,
): KnownResource | null {
  const origin = new URL(issuer).origin;
  const asked = new URL(requestUrl);
  const wanted = `${origin}${asked.pathname}${asked.search}`;
  return (
    knownResources(issuer, config).find(
      (entry) =>
        URL.parse(entry.resource)?.origin === origin &&
        protectedResourceMetadataUrl(entry.resource) === wanted,
    ) ?? null
  );
}

/** §2 metadata of one resource; this server is its only authorization server. */
export function protectedResourceMetadata(entry: KnownResource, issuer: string): Record<string, unknown> {
  const document: Record<string, unknown> = {
    resource: entry.resource,
    authorization_servers: [issuer],
    bearer_methods_supported: ['header'],
  };
  if (entry.scopesSupported.length > 0) document.scopes_supported = entry.scopesSupported;
  if (entry.name !== undefined) document.resource_name = entry.name;
  return document;
}

/** RFC 7235 §2.1 auth-param: `name = (token / quoted-string)`, with the list separator before it. */
const AUTH_PARAM =
  /^\s*,?\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+)/;

/**
 * §5.1: the challenge with `resource_metadata` appended to its Bearer challenge's parameters (other
 * challenges, e.g. DPoP, are left alone). Unchanged when there is no Bearer challenge or it already has one.
 */
export function withResourceMetadata(challenge: string, metadataUrl: string): string {
  if (/resource_metadata=/i.test(challenge)) return challenge;
  const bearer = /(?:^|,\s*)Bearer(?=\s|,|$)/i.exec(challenge);
  if (!bearer) return challenge;
  let end = bearer.index + bearer[0].length;
  let params = 0;
  for (
    let match = AUTH_PARAM.exec(challenge.slice(end));
    match;
    match = AUTH_PARAM.exec(challenge.slice(end))
  ) {
    // The first parameter follows the scheme after a space, the others after a comma.
    if (params === 0 && match[0].trimStart().startsWith(',')) break;
    end += match[0].length;
    params += 1;
  }
  const param = `resource_metadata="${metadataUrl.replace(/["\\]/g, '')}"`;
  return `${challenge.slice(0, end)}${params > 0 ? ', ' : ' '}${param}${challenge.slice(end)}`;
}
