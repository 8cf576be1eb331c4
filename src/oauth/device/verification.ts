/**
 * RFC 8628 §3.3 user interaction: the signed-in user enters (or follows a link with) a user code,
 * sees which client asks for which scopes, and approves or denies. Every lookup of a user code first
 * reserves an attempt per user (10 misses in 15 minutes, the sign-in throttle's window) and per client
 * address (50), so guessing one of 20^8 codes within its lifetime is hopeless (RFC 8628 §5.1).
 */
import type { AttemptThrottle, ClientRecord, ThrottleKey, UserRole } from '../../storage/ports';
import { signInClaims } from '../authorize/claims';
import type { OAuthContext } from '../ports';
import { grantableScopes } from '../scopes/admin-scope';
import { normalizeUserCode } from './codes';
import { unindexDevice } from './pending-index';

/** The signed-in user deciding. */
export interface DeviceUser {
  userId: string;
  role: UserRole;
  authTime: number;
  sid: string;
  /** RFC 8176 `amr` of the sign-in, carried into the device's ID tokens. */
  amr: readonly string[];
}

export type UserCodeOutcome =
  | { kind: 'found'; userCode: string; client: ClientRecord; scopes: string[] }
  /** Malformed, unknown, expired or already decided: the same answer for all. */
  | { kind: 'unknown' }
  | { kind: 'throttled'; retryAfterSecs: number };

export type DecisionOutcome =
  | { kind: 'approved' | 'denied'; client: ClientRecord }
  | { kind: 'unknown' }
  | { kind: 'throttled'; retryAfterSecs: number };

/** Finds the pending device authorization a user code names. */
export async function findUserCode(
  ctx: OAuthContext,
  throttle: AttemptThrottle,
  keys: readonly ThrottleKey[],
  input: string | undefined,
): Promise<UserCodeOutcome> {
  const userCode = normalizeUserCode(input);
  if (userCode === null) return { kind: 'unknown' };
  // Reserved before the lookup, so concurrent guesses cannot all get past the count; a hit gives it back.
  const attempt = await throttle.reserve(keys);
  if (!attempt.granted) return { kind: 'throttled', retryAfterSecs: attempt.retryAfterSecs };
  const found = await ctx.auth.lookupUserCode(userCode);
  const client = found ? await ctx.clients.get(found.clientId) : null;
  if (!found || !client?.enabled) return { kind: 'unknown' };
  await throttle.release(attempt);
  return { kind: 'found', userCode, client, scopes: found.scope.split(' ').filter(Boolean) };
}

/** Records the user's approval or denial of a user code (once). */
export async function decideUserCode(
  ctx: OAuthContext,
  throttle: AttemptThrottle,
  keys: readonly ThrottleKey[],
  input: { userCode: string | undefined; approve: boolean },
  user: DeviceUser,
): Promise<DecisionOutcome> {
  const found = await findUserCode(ctx, throttle, keys, input.userCode);
  if (found.kind !== 'found') return found;
  // RFC 6749 §3.3: `admin` is narrowed away for anyone but an administrator (the tokens are narrowed
  // again when the device redeems the code, src/oauth/grants/user-grant-tokens.ts).
  const scopes = await grantableScopes(ctx, found.scopes, user.userId);
  const approved = input.approve;
  const decided = await ctx.auth.decideUserCode(found.userCode, {
    approved,
    userId: user.userId,
    authTime: user.authTime,
    sid: user.sid,
    ...signInClaims(user.amr),
  });
  if (!decided) return { kind: 'unknown' };
  await unindexDevice(ctx, found.userCode);
  if (approved) {
    await ctx.consents.grant(user.userId, found.client.clientId, scopes);
    ctx.events.publish({
      type: 'authorization_code_created',
      clientId: found.client.clientId,
      userId: user.userId,
      metadata: { flow: 'device_code', scope: scopes.join(' ') },
    });
  }
  return { kind: approved ? 'approved' : 'denied', client: found.client };
}
