/**
 * Provider signing keys: each `jwks_uri` fetched and cached per isolate for JWKS_TTL_MS, and refetched
 * early when a token names a key the cached set lacks (key rotation), at most once per JWKS_COOLDOWN_MS.
 * Like discovery, a request never waits on another request's fetch. (jose's createRemoteJWKSet shares
 * one in-flight fetch between callers, which workerd cannot allow across requests.)
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import { UpstreamSignInError } from './errors';
import type { UpstreamHttp } from './http';

export const JWKS_TTL_MS = 10 * 60 * 1000;
export const JWKS_COOLDOWN_MS = 30 * 1000;

const cache = new Map<string, { jwks: JSONWebKeySet; fetchedAt: number }>();

/** Test hook: forget every cached key set. */
export function clearJwksCache(): void {
  cache.clear();
}

async function load(uri: string, http: UpstreamHttp, nowMs: number, target: string): Promise<JSONWebKeySet> {
  const res = await http.get(uri);
  const keys = typeof res.json === 'object' && res.json !== null ? Reflect.get(res.json, 'keys') : undefined;
  if (res.status !== 200 || !Array.isArray(keys)) {
    throw new UpstreamSignInError('failed', `${target} jwks answered ${res.status} without keys`);
  }
  const jwks = { keys } as JSONWebKeySet;
  cache.set(uri, { jwks, fetchedAt: nowMs });
  return jwks;
}

export interface VerifyOptions {
  algorithms: string[];
  audience: string;
  /** Checked by jose when set; a multi-tenant issuer is checked by the caller. */
  issuer?: string;
  clockToleranceSecs: number;
  maxAgeSecs: number;
  currentDate: Date;
}

/** Verifies a JWT's signature against the provider's keys and the standard claims in `options`. */
export async function verifyWithJwks(
  token: string,
  jwksUri: string,
  http: UpstreamHttp,
  target: string,
  options: VerifyOptions,
): Promise<JWTPayload> {
  const nowMs = options.currentDate.getTime();
  const cached = cache.get(jwksUri);
  let fresh = !cached || nowMs - cached.fetchedAt >= JWKS_TTL_MS;
  let jwks = fresh || !cached ? await load(jwksUri, http, nowMs, target) : cached.jwks;
  const verifyOptions = {
    algorithms: options.algorithms,
    audience: options.audience,
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    clockTolerance: options.clockToleranceSecs,
    maxTokenAge: options.maxAgeSecs,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    currentDate: options.currentDate,
  };
  for (;;) {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), verifyOptions);
      return payload;
    } catch (error) {
      const unknownKey = error instanceof errors.JWKSNoMatchingKey;
      const cooled = nowMs - (cache.get(jwksUri)?.fetchedAt ?? 0) >= JWKS_COOLDOWN_MS;
      if (unknownKey && !fresh && cooled) {
        jwks = await load(jwksUri, http, nowMs, target);
        fresh = true;
        continue;
      }
      throw new UpstreamSignInError('failed', `${target} id_token ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim ${error.claim} invalid (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed by an unknown key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JOSEError) return `invalid (${error.code})`;
  return 'invalid';
}
