/**
 * RFC 9449 §4.3 DPoP proof validation: one `DPoP` header holding a JWS with `typ: dpop+jwt`, an
 * asymmetric `alg` from DPOP_ALGS, a public `jwk` that verifies it; `jti`, `htm` (the request method),
 * `htu` (the request URI without query and fragment), `iat` within the accepted window, `ath` when an
 * access token is presented (§7.1), the server nonce when required (§8), and a `jti` never seen before
 * (§11.1, through the ReplayGuard actors). Answers the key's JWK SHA-256 thumbprint (`jkt`, RFC 7638).
 */
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { sha256 } from '../../crypto/hash';
import type { OAuthContext } from '../ports';
import { DPOP_ALGS, type DpopSite, InvalidDpopProofError, UseDpopNonceError } from './errors';
import { currentDpopNonce, isFreshDpopNonce } from './nonce';

/** The parts of an HTTP request a proof is checked against. */
export interface DpopRequest {
  /** The `DPoP` header (several headers arrive joined by commas, which a JWS never contains). */
  header: string | undefined;
  method: string;
  url: string;
}

export interface DpopProof {
  /** JWK SHA-256 thumbprint of the proof's key (RFC 7638): what tokens are bound to (`cnf.jkt`). */
  jkt: string;
  jti: string;
  iat: number;
}

/** Longer than any proof with an RSA-4096 key; a larger header is refused before parsing. */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
/** Clock skew allowed for an `iat` in the future. */
const FUTURE_SKEW_SECS = 60;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const KEY_TYPES = new Set(['EC', 'RSA', 'OKP']);

/**
 * Validates the request's DPoP proof; null when the request carries none. `accessToken` is the token
 * presented with it at a protected resource (its hash must be the proof's `ath`).
 */
export async function verifyDpopProof(
  ctx: OAuthContext,
  request: DpopRequest,
  site: DpopSite,
  accessToken?: string,
): Promise<DpopProof | null> {
  const proof = request.header?.trim();
  if (proof === undefined) return null;
  const fail = (description: string) => new InvalidDpopProofError(description, site);
  if (proof.length === 0 || proof.length > MAX_PROOF_LENGTH) throw fail('malformed DPoP proof');
  if (/[\s,]/.test(proof)) throw fail('exactly one DPoP header is allowed');
  const jwk = checkHeader(proof, fail);
  const payload = await verifySignature(proof, fail);
  const now = ctx.clock.nowSecs();
  const { jti, iat } = checkClaims(ctx, request, payload, now, fail);
  if (accessToken !== undefined && payload.ath !== (await sha256(accessToken))) {
    throw fail('the DPoP proof ath does not match the access token');
  }
  if (ctx.config.dpop.requireNonce && !(await isFreshDpopNonce(ctx.config, payload.nonce, now))) {
    throw new UseDpopNonceError(await currentDpopNonce(ctx.config, now), site);
  }
  const jkt = await calculateJwkThumbprint(jwk, 'sha256').catch(() => {
    throw fail('the DPoP proof jwk is malformed');
  });
  const fresh = await ctx.replay.claim('dpop', `${jkt}:${jti}`, iat + ctx.config.dpop.proofMaxAgeSecs + 1);
  if (!fresh) throw fail('the DPoP proof was already used');
  return { jkt, jti, iat };
}

/** §4.3 checks 3-5 and 7 on the protected header: typ, alg, and a public `jwk`. */
function checkHeader(proof: string, fail: (description: string) => Error): JWK {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw fail('malformed DPoP proof');
  }
  if (header.typ !== 'dpop+jwt') throw fail('the DPoP proof typ must be dpop+jwt');
  if (typeof header.alg !== 'string' || !(DPOP_ALGS as readonly string[]).includes(header.alg)) {
    throw fail(`the DPoP proof alg must be one of ${DPOP_ALGS.join(', ')}`);
  }
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw fail('the DPoP proof must carry its public key in jwk');
  }
  if (typeof jwk.kty !== 'string' || !KEY_TYPES.has(jwk.kty)) throw fail('unsupported DPoP key type');
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw fail('the DPoP proof jwk must not contain private key material');
  }
  return jwk;
}

/** §4.3 check 6: the signature verifies with the embedded key. */
async function verifySignature(proof: string, fail: (description: string) => Error): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_ALGS],
    });
    return payload;
  } catch {
    // Verification does no I/O: anything it throws (JOSE errors, WebCrypto's DataError for a malformed
    // key, ...) is about the proof.
    throw fail('the DPoP proof signature or key is invalid');
  }
}

/** §4.3 checks 3, 8, 9 and 11: jti, htm, htu and iat. */
function checkClaims(
  ctx: OAuthContext,
  request: DpopRequest,
  payload: JWTPayload,
  now: number,
  fail: (description: string) => Error,
): { jti: string; iat: number } {
  const { jti, iat, htm, htu } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw fail('the DPoP proof needs a jti of at most 256 characters');
  }
  if (typeof htm !== 'string' || htm !== request.method.toUpperCase()) {
    throw fail('the DPoP proof htm does not match the request method');
  }
  if (typeof htu !== 'string' || !htuMatches(ctx, request.url, htu)) {
    throw fail('the DPoP proof htu does not match the request URI');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw fail('the DPoP proof needs an iat');
  if (iat > now + FUTURE_SKEW_SECS) throw fail('the DPoP proof iat is in the future');
  if (iat < now - ctx.config.dpop.proofMaxAgeSecs) throw fail('the DPoP proof is too old');
  return { jti, iat };
}

/** Scheme, host (lower case, default port dropped) and path; null when not an http(s) URI. */
function targetOf(uri: string): string | null {
  const url = URL.parse(uri);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * §4.3 check 9: `htu` names this request's URI without query and fragment, as the client reached it:
 * the request URL itself, or the same path under the issuer (OAUTH2_PUBLIC_URL behind a proxy).
 */
function htuMatches(ctx: OAuthContext, requestUrl: string, htu: string): boolean {
  const claimed = targetOf(htu);
  if (claimed === null) return false;
  const received = URL.parse(requestUrl);
  if (!received) return false;
  return claimed === targetOf(requestUrl) || claimed === targetOf(`${ctx.issuer}${received.pathname}`);
}
