/** RFC 7636 PKCE: S256 only (plain refused), challenge 43 base64url chars, verifier 43–128 unreserved chars (§4.1). */
import { sha256 } from '../crypto/hash';
import { InvalidGrantError, InvalidRequestError } from './errors';

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Validates the authorization request's challenge; returns it. */
export function requireS256Challenge(challenge: string | undefined, method: string | undefined): string {
  if (challenge === undefined) throw new InvalidRequestError('code_challenge is required (PKCE, RFC 7636)');
  if (method !== 'S256') throw new InvalidRequestError('code_challenge_method must be S256');
  if (!CHALLENGE.test(challenge))
    throw new InvalidRequestError('code_challenge must be 43 base64url characters');
  return challenge;
}

/** The S256 challenge of a code_verifier (§4.6), after checking its syntax. */
export async function verifierChallenge(verifier: string | undefined): Promise<string> {
  if (verifier === undefined) throw new InvalidRequestError('missing required parameter code_verifier');
  if (!VERIFIER.test(verifier))
    throw new InvalidGrantError('code_verifier must be 43–128 unreserved characters');
  // The verifier is ASCII, so its UTF-8 bytes are the ASCII octets §4.2 hashes.
  return sha256(verifier);
}
