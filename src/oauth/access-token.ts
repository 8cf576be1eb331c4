/**
 * Access tokens: RFC 9068 JWTs (`typ: at+jwt`, ES256, `kid`) by default, or opaque reference
 * tokens (`oat_` + grant id + 256 random bits) when OAUTH2_ACCESS_TOKENS_OPAQUE=true. Every token
 * names its grant (in `jti`, or in the opaque string) so its TokenActor can be found: a JWT needs
 * no stored state to be issued, and its revocation is recorded on the grant and checked at introspection.
 */
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { sha256 } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { InvalidGrantError } from './errors';
import type { OAuthContext } from './ports';
import { GRANT_ID_PATTERN } from './sharded-id';

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
}

export interface IssueRequest {
  grantId: string;
  clientId: string;
  /** The resource owner, or the client itself for client_credentials. */
  sub: string;
  scope: string[];
  audience: string[];
}

export interface IssuedAccessToken {
  token: string;
  info: AccessTokenInfo;
}

const GRANT_ID = GRANT_ID_PATTERN;
const OPAQUE_TOKEN = new RegExp(`^oat_(${GRANT_ID})[A-Za-z0-9_-]{43}$`);
const JTI = new RegExp(`^(${GRANT_ID})\\.[A-Za-z0-9_-]{11}$`);

export async function issueAccessToken(ctx: OAuthContext, request: IssueRequest): Promise<IssuedAccessToken> {
  const iat = ctx.now();
  const info: AccessTokenInfo = {
    format: ctx.config.accessTokensOpaque ? 'opaque' : 'jwt',
    grantId: request.grantId,
    jti: `${request.grantId}.${randomToken(8)}`,
    clientId: request.clientId,
    sub: request.sub,
    scope: request.scope.join(' '),
    aud: request.audience,
    iat,
    exp: iat + ctx.config.accessTokenTtlSecs,
  };
  if (info.format === 'opaque') return { token: await storeOpaque(ctx, info), info };
  return { token: await signJwt(ctx, info), info };
}

async function signJwt(ctx: OAuthContext, info: AccessTokenInfo): Promise<string> {
  const key = (await ctx.keys.keySet()).active.access_token;
  if (!key) throw new Error('no active access-token signing key');
  const claims: Record<string, unknown> = { client_id: info.clientId };
  if (info.scope) claims.scope = info.scope;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid })
    .setIssuer(ctx.issuer)
    .setSubject(info.sub)
    .setAudience(info.aud.length === 1 ? (info.aud[0] as string) : info.aud)
    .setIssuedAt(info.iat)
    .setExpirationTime(info.exp)
    .setJti(info.jti)
    .sign(key.privateKey);
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
  };
}

async function resolveJwt(ctx: OAuthContext, token: string): Promise<AccessTokenInfo | null> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return null;
  }
  if (!kid) return null;
  const key = await ctx.keys.verificationKey(kid);
  if (key?.use !== 'access_token') return null;
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [key.alg],
      issuer: ctx.issuer,
      typ: 'at+jwt',
      currentDate: new Date(ctx.now() * 1000),
      requiredClaims: ['sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
    });
    const grantId = typeof payload.jti === 'string' ? JTI.exec(payload.jti)?.[1] : undefined;
    if (!grantId || typeof payload.client_id !== 'string' || typeof payload.sub !== 'string') return null;
    if (payload.scope !== undefined && typeof payload.scope !== 'string') return null;
    if (await ctx.tokens.isGrantRevoked(grantId)) return null;
    return {
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
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}
