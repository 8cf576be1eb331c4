/**
 * RFC 8628 §3.3 user interaction: the signed-in user enters (or follows a link with) a user code,
 * sees which client asks for which scopes, and approves or denies. Every lookup of a user code counts
 * against a throttle per client IP and per user (10 misses in 15 minutes, the sign-in throttle's
 * window), so guessing one of 20^8 codes within its lifetime is hopeless (RFC 8628 §5.1).
 */
import type { LoginThrottlePort } from '../../auth/login-throttle';
import { ipBucket } from '../../auth/login-throttle';
import type { ClientRecord, UserRole } from '../../storage/ports';
import type { OAuthContext } from '../ports';
import { normalizeUserCode } from './codes';

/** The signed-in user deciding. */
export interface DeviceUser {
  userId: string;
  role: UserRole;
  authTime: number;
  sid: string;
}

export type UserCodeOutcome =
  | { kind: 'found'; userCode: string; client: ClientRecord; scopes: string[] }
  /** Malformed, unknown, expired or already decided: the same answer for all. */
  | { kind: 'unknown' }
  | { kind: 'throttled'; retryAfterSecs: number };

export type DecisionOutcome =
  | { kind: 'approved' | 'denied'; client: ClientRecord }
  | { kind: 'unknown' }
  | { kind: 'throttled'; retryAfterSecs: number }
  /** The request asks for a scope this user may not grant (admin): it is denied. */
  | { kind: 'forbidden' };

/** The throttle keys of one attempt: the client address and the signed-in user. */
export function userCodeThrottleKeys(clientIp: string, userId: string): string[] {
  return [`device-ip:${ipBucket(clientIp)}`, `device-user:${userId}`];
}

/** Finds the pending device authorization a user code names. */
export async function findUserCode(
  ctx: OAuthContext,
  throttle: LoginThrottlePort,
  keys: string[],
  input: string | undefined,
): Promise<UserCodeOutcome> {
  const userCode = normalizeUserCode(input);
  if (userCode === null) return { kind: 'unknown' };
  const state = await throttle.check(keys);
  if (state.limited) return { kind: 'throttled', retryAfterSecs: state.retryAfterSecs };
  const found = await ctx.auth.lookupUserCode(userCode);
  const client = found ? await ctx.clients.get(found.clientId) : null;
  if (!found || !client?.enabled) {
    await throttle.recordFailure(keys);
    return { kind: 'unknown' };
  }
  return { kind: 'found', userCode, client, scopes: found.scope.split(' ').filter(Boolean) };
}

/** Records the user's approval or denial of a user code (once). */
export async function decideUserCode(
  ctx: OAuthContext,
  throttle: LoginThrottlePort,
  keys: string[],
  input: { userCode: string | undefined; approve: boolean },
  user: DeviceUser,
): Promise<DecisionOutcome> {
  const found = await findUserCode(ctx, throttle, keys, input.userCode);
  if (found.kind !== 'found') return found;
  const forbidden = found.scopes.includes('admin') && user.role !== 'admin';
  const approved = input.approve && !forbidden;
  const decided = await ctx.auth.decideUserCode(found.userCode, {
    approved,
    userId: user.userId,
    authTime: user.authTime,
    sid: user.sid,
  });
  if (!decided) return { kind: 'unknown' };
  if (forbidden) return { kind: 'forbidden' };
  if (approved) {
    await ctx.consents.grant(user.userId, found.client.clientId, found.scopes);
    ctx.events.publish({
      type: 'authorization_code_created',
      clientId: found.client.clientId,
      userId: user.userId,
      metadata: { flow: 'device_code', scope: found.scopes.join(' ') },
    });
  }
  return { kind: approved ? 'approved' : 'denied', client: found.client };
}
