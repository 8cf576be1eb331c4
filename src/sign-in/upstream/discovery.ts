/**
 * OpenID Provider metadata (OpenID Connect Discovery 1.0 §4): fetched from
 * `{issuer}/.well-known/openid-configuration`, validated (§4.3: the `issuer` in the document is the one
 * configured), and cached per isolate for DISCOVERY_TTL_MS. A request that finds the cache empty or stale
 * loads for itself: no in-flight load is shared between requests (workerd cancels a promise whose request
 * has ended, and another request waiting on it would hang).
 */
import { systemClock } from '../../clock';
import { type OutboundPolicy, outboundUrlProblem, REGISTRATION_POLICY } from '../../outbound/policy';
import type { OidcProviderConfig } from './config';
import { UpstreamSignInError } from './errors';
import type { UpstreamHttp } from './http';

export const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const TENANT_PLACEHOLDER = '{tenantid}';

/** What the flow needs of the provider's metadata. */
export interface ProviderMetadata {
  /** As published; for Microsoft's multi-tenant endpoints a template containing `{tenantid}`. */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string | null;
  /** `client_secret_basic` unless the provider supports only `client_secret_post` (§3: the default is basic). */
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** Asymmetric ID token algorithms the provider uses (RS256 when it does not say). */
  idTokenAlgorithms: string[];
  /** RFC 9207: the provider puts `iss` on its authorization responses. */
  issParameterSupported: boolean;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const cache = new Map<string, { metadata: ProviderMetadata; expiresAt: number }>();

/** Test hook: forget every cached document. */
export function clearDiscoveryCache(): void {
  cache.clear();
}

/** The provider's metadata, from this isolate's cache or loaded by this request. */
export async function discover(
  provider: OidcProviderConfig,
  http: UpstreamHttp,
  nowMs = systemClock.nowMs(),
): Promise<ProviderMetadata> {
  const cached = cache.get(provider.issuer);
  if (cached && cached.expiresAt > nowMs) return cached.metadata;
  const url = `${provider.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await http.get(url);
  if (res.status !== 200)
    throw new UpstreamSignInError('failed', `${provider.id} discovery answered ${res.status}`);
  const metadata = parseMetadata(provider, res.json);
  cache.set(provider.issuer, { metadata, expiresAt: nowMs + DISCOVERY_TTL_MS });
  return metadata;
}

/** Validates a discovery document for `provider`; throws UpstreamSignInError('failed') naming what is wrong. */
export function parseMetadata(provider: OidcProviderConfig, doc: unknown): ProviderMetadata {
  const fail = (what: string): never => {
    throw new UpstreamSignInError('failed', `${provider.id} discovery: ${what}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('not a JSON object');
  const field = (name: string): unknown => Reflect.get(doc, name);
  const issuer = field('issuer');
  if (typeof issuer !== 'string' || !issuerMatches(provider, issuer)) return fail('issuer does not match');
  const endpoint = (name: string, required: boolean): string | null => {
    const value = field(name);
    if (value === undefined && !required) return null;
    if (typeof value !== 'string' || !endpointAllowed(value, provider.issuer)) return fail(`bad ${name}`);
    return value;
  };
  const methods = stringList(field('token_endpoint_auth_methods_supported'));
  const algs = stringList(field('id_token_signing_alg_values_supported'))?.filter((a) =>
    ASYMMETRIC.includes(a),
  );
  return {
    issuer,
    authorizationEndpoint: endpoint('authorization_endpoint', true) as string,
    tokenEndpoint: endpoint('token_endpoint', true) as string,
    jwksUri: endpoint('jwks_uri', true) as string,
    userinfoEndpoint: endpoint('userinfo_endpoint', false),
    tokenAuthMethod:
      methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
        ? 'client_secret_post'
        : 'client_secret_basic',
    idTokenAlgorithms: algs && algs.length > 0 ? algs : ['RS256'],
    issParameterSupported: field('authorization_response_iss_parameter_supported') === true,
  };
}

/**
 * §4.3: the published issuer is the configured one. Microsoft's multi-tenant endpoints publish a
 * `{tenantid}` template instead, on the configured issuer's origin.
 */
function issuerMatches(provider: OidcProviderConfig, published: string): boolean {
  if (published === provider.issuer) return true;
  if (!provider.tenantTemplate || !published.includes(TENANT_PLACEHOLDER)) return false;
  return URL.parse(published)?.origin === URL.parse(provider.issuer)?.origin;
}

const PUBLIC_ONLY: OutboundPolicy = { allowLoopback: false };

/** No fragment, and the outbound policy. */
function endpointAllowed(value: string, issuer: string): boolean {
  const url = URL.parse(value);
  if (!url || url.hash) return false;
  if (outboundUrlProblem(value, PUBLIC_ONLY) === null) return true;
  // A loopback endpoint (a local provider in tests) only beside a loopback issuer; it is called only
  // where the running server allows loopback.
  return (
    outboundUrlProblem(value, REGISTRATION_POLICY) === null &&
    outboundUrlProblem(issuer, PUBLIC_ONLY) !== null
  );
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
}

/** The `iss` an ID token of this provider must carry: the issuer, or the template filled with its `tid`. */
export function expectedIssuer(metadata: ProviderMetadata, tid: unknown): string | null {
  if (!metadata.issuer.includes(TENANT_PLACEHOLDER)) return metadata.issuer;
  if (
    typeof tid !== 'string' ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(tid)
  ) {
    return null;
  }
  return metadata.issuer.replace(TENANT_PLACEHOLDER, tid);
}
