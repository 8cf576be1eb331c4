/**
 * Access tokens: RFC 9068 JWTs (`typ: at+jwt`, `kid`; ES256 with the KeyRing's access-token key, or HS256
 * under OAUTH2_JWT_SECRET when OAUTH2_ACCESS_TOKEN_SIGNING_ALG=HS256) by default, or opaque reference
 * tokens (`oat_` + grant id + 256 random bits) when OAUTH2_ACCESS_TOKENS_OPAQUE=true. Every token
 * names its grant (in `jti`, or in the opaque string) so its TokenActor can be found: a JWT needs
 * no stored state to be issued, and its revocation is recorded on the grant and checked at introspection.
 */
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { Config } from '../../config';
import { accessTokenSecretKey } from '../../crypto/access-token-secret';
import { sha256 } from '../../crypto/hash';
import { type JwsKey, signJwt } from '../../crypto/jws';
import { randomToken } from '../../crypto/random';
import { InvalidGrantError } from '../errors';
import type { ActClaim, OAuthContext } from '../ports';
import { GRANT_ID_PATTERN } from '../sharded-id';

/** What this server knows about a live access token. */
export interface AccessTokenInfo {
  format: 'jwt' | 'opaque';
  grantId: string;
  jti: string;
  clientId: string;
  sub: string;
  scope: string;
  aud: string[];
  iat: number;
  exp: number;
  /** RFC 8693 §4.1: the acting party (a delegation chain, innermost = earliest), on exchanged tokens. */
  act?: ActClaim | undefined;
  /** RFC 8693 §4.4: who may act for the subject (read from JWTs; this server does not issue it). */
  mayAct?: Record<string, unknown> | undefined;
  /** RFC 9449 §6: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`); absent for Bearer tokens. */
  jkt?: string | undefined;
}

export interface IssueRequest {
  grantId: string;
  clientId: string;
  /** The resource owner, or the client itself for client_credentials. */
  sub: string;
  scope: string[];
  audience: string[];
  /** RFC 8693 token exchange: the actor (`act` claim). */
  act?: ActClaim | undefined;
  /** Never later than this (token exchange: the subject token's expiry). */
  notAfter?: number | undefined;
}

export interface IssuedAccessToken {
  token: string;
  info: AccessTokenInfo;
}

const GRANT_ID = GRANT_ID_PATTERN;
const OPAQUE_TOKEN = new RegExp(`^oat_(${GRANT_ID})[A-Za-z0-9_-]{43}$`);
const JTI = new RegExp(`^(${GRANT_ID})\\.[A-Za-z0-9_-]{11}$`);

/**
 * The format and lifetime of a token for `audience`: those of the API when it is the one configured
 * resource the token is for; for several, the server-wide format and the shortest lifetime.
 */
export function accessTokenPolicy(
  config: Config,
  audience: readonly string[],
): { format: 'jwt' | 'opaque'; ttlSecs: number } {
  const apis = config.protectedResources.filter((entry) => audience.includes(entry.resource));
  const ttls = apis.map((entry) => entry.accessTokenTtlSecs ?? config.accessTokenTtlSecs);
  const serverFormat = config.accessTokensOpaque ? 'opaque' : 'jwt';
  const only = audience.length === 1 ? apis[0] : undefined;
  return {
    format: only?.accessTokenFormat ?? serverFormat,
    ttlSecs: Math.min(config.accessTokenTtlSecs, ...ttls),
  };
}

export async function issueAccessToken(ctx: OAuthContext, request: IssueRequest): Promise<IssuedAccessToken> {
  const iat = ctx.clock.nowSecs();
  const policy = accessTokenPolicy(ctx.config, request.audience);
  const info: AccessTokenInfo = {
    format: policy.format,
    grantId: request.grantId,
    jti: `${request.grantId}.${randomToken(8)}`,
    clientId: request.clientId,
    sub: request.sub,
    scope: request.scope.join(' '),
    aud: request.audience,
    iat,
    exp: Math.min(iat + policy.ttlSecs, request.notAfter ?? Number.POSITIVE_INFINITY),
  };
  if (request.act) info.act = request.act;
  if (ctx.confirmation) info.jkt = ctx.confirmation.jkt;
  if (info.format === 'opaque') return { token: await storeOpaque(ctx, info), info };
  return { token: await signAccessToken(ctx, info), info };
}

/** The key new JWT access tokens are signed with: HS256 under OAUTH2_JWT_SECRET, or the active ES256 key. */
async function accessTokenSigningKey(ctx: OAuthContext): Promise<JwsKey> {
  const { accessTokenSigningAlg, jwtSecret } = ctx.config;
  if (accessTokenSigningAlg === 'HS256') {
    // parseConfig refuses HS256 without the secret; this guards a hand-built Config.
    if (jwtSecret === undefined) throw new Error('HS256 access tokens need OAUTH2_JWT_SECRET');
    return accessTokenSecretKey(jwtSecret);
  }
  const key = (await ctx.keys.keySet()).active.access_token.ES256;
  if (!key) throw new Error('no active access-token signing key');
  return key;
}

async function signAccessToken(ctx: OAuthContext, info: AccessTokenInfo): Promise<string> {
  const key = await accessTokenSigningKey(ctx);
  // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope when granted; cnf for DPoP (RFC 9449 §6).
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    sub: info.sub,
    aud: info.aud.length === 1 ? (info.aud[0] as string) : info.aud,
    iat: info.iat,
    exp: info.exp,
    jti: info.jti,
    client_id: info.clientId,
  };
  if (info.scope) claims.scope = info.scope;
  if (info.act) claims.act = info.act;
  if (info.jkt) claims.cnf = { jkt: info.jkt };
  return signJwt(key, 'at+jwt', claims);
}

async function storeOpaque(ctx: OAuthContext, info: AccessTokenInfo): Promise<string> {
  const token = `oat_${info.grantId}${randomToken(32)}`;
  const stored = await ctx.tokens.storeAccessToken(info.grantId, {
    hash: await sha256(token),
    jti: info.jti,
    clientId: info.clientId,
    sub: info.sub,
    scope: info.scope,
    aud: info.aud,
    issuedAt: info.iat,
    expiresAt: info.exp,
    ...(info.act ? { act: info.act } : {}),
    ...(info.jkt ? { jkt: info.jkt } : {}),
  });
  if (!stored) throw new InvalidGrantError('the grant has been revoked');
  return token;
}

/**
 * The live token, or null when it is unknown, malformed, forged, expired or revoked, or when its
 * client has been deleted or disabled since (RFC 7592 §2.3).
 */
export async function resolveAccessToken(ctx: OAuthContext, token: string): Promise<AccessTokenInfo | null> {
  const info = await resolveToken(ctx, token);
  if (!info) return null;
  const client = await ctx.clients.get(info.clientId);
  return client?.enabled ? info : null;
}

function resolveToken(ctx: OAuthContext, token: string): Promise<AccessTokenInfo | null> {
  const opaque = OPAQUE_TOKEN.exec(token);
  if (opaque) return resolveOpaque(ctx, token, opaque[1] as string);
  if (token.split('.').length === 3) return resolveJwt(ctx, token);
  return Promise.resolve(null);
}

async function resolveOpaque(
  ctx: OAuthContext,
  token: string,
  grantId: string,
): Promise<AccessTokenInfo | null> {
  const stored = await ctx.tokens.findAccessToken(grantId, await sha256(token));
  if (!stored) return null;
  return {
    format: 'opaque',
    grantId,
    jti: stored.jti,
    clientId: stored.clientId,
    sub: stored.sub,
    scope: stored.scope,
    aud: stored.aud,
    iat: stored.issuedAt,
    exp: stored.expiresAt,
    ...(stored.act ? { act: stored.act } : {}),
    ...(stored.jkt ? { jkt: stored.jkt } : {}),
  };
}

/**
 * JWT access tokens this isolate has already verified (signature, header and claims), by the exact token
 * text: resource servers introspect and call userinfo with the same token again and again, and the ECDSA
 * verification is the largest part of that. An entry is used only while the token has not expired, the
 * same issuer asks, and the very key that verified it is still in the key set (a removed key ends its
 * tokens at once); the grant's revocation is checked on every request regardless. Bounded; the oldest
 * entry goes first.
 */
interface VerifiedJwt {
  issuer: string;
  alg: string;
  kid: string;
  /** The key that verified the token (a re-imported or removed key no longer matches). */
  publicKey: CryptoKey;
  info: AccessTokenInfo;
}

/**
 * The key that verifies an access token with this header: the HS256 secret key while HS256 is the chosen
 * algorithm and `kid` names the current secret, else a published ES256 access-token key of the KeyRing
 * (tokens issued before a switch to HS256 keep verifying until they expire). Null for anything else: an
 * ID or logout token this server signed is never a bearer credential, and HS256 is refused unless chosen.
 */
async function accessTokenVerificationKey(
  ctx: OAuthContext,
  alg: unknown,
  kid: string,
): Promise<{ alg: string; publicKey: CryptoKey } | null> {
  if (alg === 'HS256') {
    const { accessTokenSigningAlg, jwtSecret } = ctx.config;
    if (accessTokenSigningAlg !== 'HS256' || jwtSecret === undefined) return null;
    const key = await accessTokenSecretKey(jwtSecret);
    return key.kid === kid ? { alg: key.alg, publicKey: key.privateKey } : null;
  }
  const key = await ctx.keys.verificationKey(kid, 'access_token');
  return key !== null && key.alg === alg ? key : null;
}
const verifiedJwts = new Map<string, VerifiedJwt>();
const MAX_VERIFIED_JWTS = 2000;

function rememberVerified(token: string, entry: VerifiedJwt): void {
  if (verifiedJwts.size >= MAX_VERIFIED_JWTS) {
    const oldest = verifiedJwts.keys().next().value;
    if (oldest !== undefined) verifiedJwts.delete(oldest);
  }
  verifiedJwts.set(token, entry);
}

/** The cached verification of `token`, or null when there is none that still holds. */
async function knownJwt(ctx: OAuthContext, token: string): Promise<AccessTokenInfo | null> {
  const entry = verifiedJwts.get(token);
  if (entry === undefined) return null;
  const { info } = entry;
  if (entry.issuer !== ctx.issuer || info.exp <= ctx.clock.nowSecs()) {
    verifiedJwts.delete(token);
    return null;
  }
  const key = await accessTokenVerificationKey(ctx, entry.alg, entry.kid);
  if (key?.publicKey !== entry.publicKey) {
    verifiedJwts.delete(token);
    return null;
  }
  return { ...info };
}

async function resolveJwt(ctx: OAuthContext, token: string): Promise<AccessTokenInfo | null> {
  const known = await knownJwt(ctx, token);
  if (known !== null) return (await ctx.tokens.isRevoked(known.grantId)) ? null : known;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return null;
  }
  const { kid, alg } = header;
  if (!kid) return null;
  const key = await accessTokenVerificationKey(ctx, alg, kid);
  if (!key) return null;
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [key.alg],
      issuer: ctx.issuer,
      typ: 'at+jwt',
      currentDate: new Date(ctx.clock.nowSecs() * 1000),
      requiredClaims: ['sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
    });
    const grantId = typeof payload.jti === 'string' ? JTI.exec(payload.jti)?.[1] : undefined;
    if (!grantId || typeof payload.client_id !== 'string' || typeof payload.sub !== 'string') return null;
    if (payload.scope !== undefined && typeof payload.scope !== 'string') return null;
    if (await ctx.tokens.isRevoked(grantId)) return null;
    const act = actClaim(payload.act);
    if (act === null) return null;
    const mayAct = payload.may_act;
    if (mayAct !== undefined && !isObject(mayAct)) return null;
    const jkt = confirmationJkt(payload.cnf);
    if (jkt === null) return null;
    const info: AccessTokenInfo = {
      ...(jkt ? { jkt } : {}),
      ...(act ? { act } : {}),
      ...(mayAct ? { mayAct } : {}),
      format: 'jwt',
      grantId,
      jti: payload.jti as string,
      clientId: payload.client_id,
      sub: payload.sub,
      scope: payload.scope ?? '',
      aud: Array.isArray(payload.aud) ? payload.aud : [payload.aud as string],
      iat: payload.iat as number,
      exp: payload.exp as number,
    };
    // A token with nbf is not remembered (its validity also has a start); ours carry none.
    if (payload.nbf === undefined)
      rememberVerified(token, {
        issuer: ctx.issuer,
        alg: key.alg,
        kid,
        publicKey: key.publicKey,
        info: { ...info },
      });
    return info;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A well-formed `act` claim (undefined when absent, null when malformed), at most 8 actors deep. */
function actClaim(value: unknown, depth = 0): ActClaim | undefined | null {
  if (value === undefined) return undefined;
  if (!isObject(value) || typeof value.sub !== 'string' || depth >= 8) return null;
  const act: ActClaim = { sub: value.sub };
  if (typeof value.client_id === 'string') act.client_id = value.client_id;
  const inner = actClaim(value.act, depth + 1);
  if (inner === null) return null;
  if (inner) act.act = inner;
  return act;
}

/** RFC 9449 §6.1 `cnf.jkt` (undefined when there is no `cnf`, null when it is malformed). */
function confirmationJkt(cnf: unknown): string | undefined | null {
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return null;
  const jkt: unknown = Reflect.get(cnf, 'jkt');
  return typeof jkt === 'string' && /^[A-Za-z0-9_-]{43}$/.test(jkt) ? jkt : null;
}
