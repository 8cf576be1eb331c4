/**
 * The OpenID Connect authorization code flow as a relying party (OIDC Core §3.1), for every OpenID
 * provider (Google, Microsoft, Okta, Auth0, generic): the authorization request with `state`, `nonce` and
 * PKCE S256; the code redeemed at the token endpoint with client_secret_basic or _post; the ID token
 * validated (§3.1.3.7) against the provider's JWKS: issuer, audience, `azp`, `exp`/`iat` with a small
 * skew, `nonce`; the UserInfo endpoint asked for the e-mail when the ID token has none (§5.3.4: same `sub`).
 */
import type { OidcProviderConfig } from './config';
import { discover, expectedIssuer, type ProviderMetadata } from './discovery';
import { UpstreamSignInError } from './errors';
import type { UpstreamHttp } from './http';
import { verifyWithJwks } from './jwks';
import {
  authorizationUrl,
  cleanEmail,
  cleanText,
  type FinishParams,
  MAX_NAME_LENGTH,
  MAX_SUBJECT_LENGTH,
  type StartParams,
  type UpstreamProfile,
} from './types';

/** Clock skew tolerated on `exp`, `iat` and `nbf`. */
export const CLOCK_SKEW_SECS = 60;
/** An ID token issued longer ago than this is refused (it was just issued for this code). */
export const ID_TOKEN_MAX_AGE_SECS = 10 * 60;

/** The provider's authorization endpoint with the request parameters (OIDC Core §3.1.2.1). */
export async function oidcAuthorizationUrl(
  provider: OidcProviderConfig,
  http: UpstreamHttp,
  params: StartParams,
): Promise<string> {
  const metadata = await discover(provider, http);
  const query = {
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: params.redirectUri,
    scope: provider.scope,
    state: params.state,
    nonce: params.nonce,
  } as const;
  return authorizationUrl(metadata.authorizationEndpoint, query, params);
}

/** Redeems the code and returns the validated account. */
export async function finishOidc(
  provider: OidcProviderConfig,
  http: UpstreamHttp,
  params: FinishParams,
): Promise<UpstreamProfile> {
  const metadata = await discover(provider, http, params.nowMs);
  checkCallbackIssuer(provider, metadata, params.callbackIss);
  const tokens = await redeemCode(provider, metadata, http, params);
  const claims = await validateIdToken(provider, metadata, http, tokens.idToken, params);
  let email = cleanEmail(claims.email);
  let emailVerified = email !== null && verifiedFlag(claims.email_verified);
  let name = cleanText(claims.name, MAX_NAME_LENGTH);
  if (email === null && metadata.userinfoEndpoint !== null) {
    const info = await userinfo(provider, metadata.userinfoEndpoint, http, tokens.accessToken, claims.sub);
    email = cleanEmail(info.email);
    emailVerified = email !== null && verifiedFlag(info.email_verified);
    name ??= cleanText(info.name, MAX_NAME_LENGTH);
  }
  return {
    subject: claims.sub,
    email,
    emailVerified,
    name,
    preferredUsername: cleanText(claims.preferred_username, MAX_NAME_LENGTH),
  };
}

/** RFC 9207 §2.4: an `iss` on the response must be the issuer; a provider that promises one must send it. */
function checkCallbackIssuer(
  provider: OidcProviderConfig,
  metadata: ProviderMetadata,
  iss: string | null,
): void {
  if (iss === null) {
    if (metadata.issParameterSupported)
      throw new UpstreamSignInError('failed', `${provider.id} callback without iss`);
    return;
  }
  const template = metadata.issuer.includes('{tenantid}');
  const matches = template
    ? iss.startsWith(metadata.issuer.slice(0, metadata.issuer.indexOf('{tenantid}')))
    : iss === metadata.issuer;
  if (!matches)
    throw new UpstreamSignInError('failed', `${provider.id} callback iss does not match (mix-up)`);
}

interface TokenSet {
  idToken: string;
  accessToken: string;
}

/** RFC 6749 §4.1.3 with PKCE's code_verifier; client authentication per the provider's metadata. */
async function redeemCode(
  provider: OidcProviderConfig,
  metadata: ProviderMetadata,
  http: UpstreamHttp,
  params: FinishParams,
): Promise<TokenSet> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: params.code,
    redirect_uri: params.redirectUri,
    code_verifier: params.codeVerifier,
  });
  const headers: Record<string, string> = {};
  if (metadata.tokenAuthMethod === 'client_secret_basic') {
    headers.Authorization = basicAuth(provider.clientId, provider.clientSecret);
  } else {
    body.set('client_id', provider.clientId);
    body.set('client_secret', provider.clientSecret);
  }
  const res = await http.postForm(metadata.tokenEndpoint, body, headers);
  const json = res.json;
  if (res.status !== 200 || typeof json !== 'object' || json === null) {
    const error = typeof json === 'object' && json !== null ? Reflect.get(json, 'error') : undefined;
    const code = typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : 'no error code';
    throw new UpstreamSignInError('failed', `${provider.id} token endpoint answered ${res.status} (${code})`);
  }
  const idToken = Reflect.get(json, 'id_token');
  const accessToken = Reflect.get(json, 'access_token');
  const tokenType = Reflect.get(json, 'token_type');
  if (typeof idToken !== 'string' || typeof accessToken !== 'string') {
    throw new UpstreamSignInError('failed', `${provider.id} token response without id_token or access_token`);
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new UpstreamSignInError('failed', `${provider.id} token response with an unexpected token_type`);
  }
  return { idToken, accessToken };
}

/** RFC 6749 §2.3.1: both parts form-encoded before base64. */
export function basicAuth(id: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const bytes = new TextEncoder().encode(`${encode(id)}:${encode(secret)}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

interface IdClaims {
  sub: string;
  [claim: string]: unknown;
}

/** OIDC Core §3.1.3.7 (and §2 for the claims). */
async function validateIdToken(
  provider: OidcProviderConfig,
  metadata: ProviderMetadata,
  http: UpstreamHttp,
  idToken: string,
  params: FinishParams,
): Promise<IdClaims> {
  const template = metadata.issuer.includes('{tenantid}');
  const payload = await verifyWithJwks(idToken, metadata.jwksUri, http, provider.id, {
    algorithms: metadata.idTokenAlgorithms,
    audience: provider.clientId,
    ...(template ? {} : { issuer: metadata.issuer }),
    clockToleranceSecs: CLOCK_SKEW_SECS,
    maxAgeSecs: ID_TOKEN_MAX_AGE_SECS,
    currentDate: new Date(params.nowMs),
  });
  const fail = (what: string): never => {
    throw new UpstreamSignInError('failed', `${provider.id} id_token ${what}`);
  };
  if (template && payload.iss !== expectedIssuer(metadata, payload.tid))
    fail('issuer does not match its tenant');
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (aud.length > 1 && payload.azp === undefined) fail('has several audiences and no azp');
  if (payload.azp !== undefined && payload.azp !== provider.clientId) fail('azp is another client');
  if (payload.nonce !== params.nonce) fail('nonce does not match');
  const sub = cleanText(payload.sub, MAX_SUBJECT_LENGTH);
  if (sub === null || sub !== payload.sub) return fail('sub is missing or malformed');
  return { ...payload, sub };
}

async function userinfo(
  provider: OidcProviderConfig,
  endpoint: string,
  http: UpstreamHttp,
  accessToken: string,
  sub: string,
): Promise<Record<string, unknown>> {
  const res = await http.get(endpoint, { Authorization: `Bearer ${accessToken}` });
  const json = res.json;
  // UserInfo is optional here: an answer that is not a JSON object of the same subject adds nothing.
  if (res.status !== 200 || typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  if (Reflect.get(json, 'sub') !== sub) {
    throw new UpstreamSignInError('failed', `${provider.id} userinfo sub differs from the id_token`);
  }
  return json as Record<string, unknown>;
}

/** `email_verified` is a boolean (OIDC Core §5.1); some providers send the string "true". */
function verifiedFlag(value: unknown): boolean {
  return value === true || value === 'true';
}
