/**
 * The pending upstream sign-in, between `/auth/login/{provider}` and `/auth/callback/{provider}`: kept
 * server-side in an AuthActor (the pending-request slot the consent step uses, sharded by the id's
 * prefix), single use (taken = deleted), 10 minutes, and bound to the browser that started it: the slot's
 * owner is `upstream:` + SHA-256 of a random cookie that only that browser holds. A callback whose `state`
 * is unknown, used, expired or another browser's finds nothing (and consumes nothing).
 *
 * The upstream `state` parameter is the slot's id (shard + 128 random bits). Stored: the provider, the
 * PKCE verifier and nonce of this attempt, the redirect URI and where to continue (`return_to`).
 */
import { sha256 } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import { newRequestId, REQUEST_ID_PATTERN } from '../../crypto/sharded-id';
import type { AuthStatePort, PendingRequest } from '../../oauth/authorization-state';
import { safeReturnPath } from '../return-to';

export const PENDING_TTL_SECS = 10 * 60;
/** The browser-binding cookie's value: 256 random bits, base64url. */
export const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface UpstreamPending {
  provider: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  returnTo: string;
  expiresAt: number;
}

/** The slot as stored: a PendingRequest owned by the browser binding, plus the upstream part. */
type StoredPending = PendingRequest & {
  upstream: { provider: string; codeVerifier: string; returnTo: string };
};

const owner = async (binding: string) => `upstream:${await sha256(binding)}`;

/** A new random browser binding (the cookie's value). */
export function newBinding(): string {
  return randomToken(32);
}

/** Fresh secrets for one attempt: state (the slot id), nonce, PKCE verifier and its S256 challenge. */
export async function newAttempt(shards: number): Promise<{
  state: string;
  nonce: string;
  codeVerifier: string;
  codeChallenge: string;
}> {
  const codeVerifier = randomToken(32);
  return {
    state: newRequestId(shards),
    nonce: randomToken(16),
    codeVerifier,
    codeChallenge: await sha256(codeVerifier),
  };
}

export async function savePending(
  auth: AuthStatePort,
  state: string,
  binding: string,
  pending: UpstreamPending,
  now: number,
  codeChallenge: string,
): Promise<void> {
  const stored: StoredPending = {
    userId: await owner(binding),
    clientId: `upstream:${pending.provider}`,
    redirectUri: pending.redirectUri,
    state: null,
    codeChallenge,
    scope: '',
    nonce: pending.nonce,
    authTime: now,
    sid: '',
    expiresAt: pending.expiresAt,
    upstream: { provider: pending.provider, codeVerifier: pending.codeVerifier, returnTo: pending.returnTo },
  };
  await auth.savePending(state, stored);
}

/**
 * Takes (and so ends) the pending sign-in named by `state` for this browser; null when the state is
 * malformed, unknown, used, expired or bound to another browser.
 */
export async function takePending(
  auth: AuthStatePort,
  state: string | undefined,
  binding: string | undefined,
): Promise<UpstreamPending | null> {
  if (state === undefined || !REQUEST_ID_PATTERN.test(state)) return null;
  if (binding === undefined || !BINDING_PATTERN.test(binding)) return null;
  const taken = (await auth.takePending(state, await owner(binding))) as Partial<StoredPending> | null;
  const upstream = taken?.upstream;
  if (!taken || typeof upstream !== 'object' || upstream === null) return null;
  if (typeof upstream.provider !== 'string' || typeof upstream.codeVerifier !== 'string') return null;
  if (typeof taken.nonce !== 'string' || typeof taken.redirectUri !== 'string') return null;
  return {
    provider: upstream.provider,
    codeVerifier: upstream.codeVerifier,
    nonce: taken.nonce,
    redirectUri: taken.redirectUri,
    returnTo: safeReturnPath(upstream.returnTo),
    expiresAt: taken.expiresAt ?? 0,
  };
}
