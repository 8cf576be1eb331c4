/**
 * RFC 9449 errors. At the token endpoint (§5, §8): 400 `invalid_dpop_proof`, or `use_dpop_nonce` with a
 * `DPoP-Nonce` header. At a protected resource (§7.1, §9): 401 with a `DPoP` challenge in
 * `WWW-Authenticate` naming the error and the accepted algorithms (`algs`).
 */
import { OAuthError, type OAuthErrorCode } from '../errors';

/** The proof signature algorithms accepted (asymmetric only; §4.3 check 5). */
export const DPOP_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;

/** Where an error is answered: the token endpoint or a protected resource. */
export type DpopSite = 'token' | 'resource';

function quote(value: string): string {
  return value.replace(/["\\]/g, '').replace(/[^\x20-\x7e]/g, '?');
}

/** The `DPoP` challenge of a protected resource (§7.1); `error` absent when no credentials were sent. */
export function dpopChallenge(error?: OAuthErrorCode, description?: string): string {
  const parts = ['DPoP realm="oauth2"'];
  if (error) parts.push(`error="${error}"`);
  if (error && description) parts.push(`error_description="${quote(description)}"`);
  parts.push(`algs="${DPOP_ALGS.join(' ')}"`);
  return parts.join(', ');
}

export class InvalidDpopProofError extends OAuthError {
  constructor(description: string, site: DpopSite = 'token') {
    super(
      'invalid_dpop_proof',
      description,
      site === 'token' ? 400 : 401,
      site === 'token' ? {} : { 'WWW-Authenticate': dpopChallenge('invalid_dpop_proof', description) },
    );
  }
}

/** §8/§9: the proof must carry this server's current nonce, sent in the `DPoP-Nonce` header. */
export class UseDpopNonceError extends OAuthError {
  constructor(nonce: string, site: DpopSite = 'token') {
    const description = 'the DPoP proof must carry the server-provided nonce';
    super('use_dpop_nonce', description, site === 'token' ? 400 : 401, {
      'DPoP-Nonce': nonce,
      ...(site === 'token' ? {} : { 'WWW-Authenticate': dpopChallenge('use_dpop_nonce', description) }),
    });
  }
}

/** A protected resource refusing the access token of a `DPoP` (or DPoP-bound) request: 401 with a DPoP challenge. */
export class DpopInvalidTokenError extends OAuthError {
  constructor(description: string) {
    super('invalid_token', description, 401, {
      'WWW-Authenticate': dpopChallenge('invalid_token', description),
    });
  }
}
