/**
 * Failed sign-in limits, as sliding 15-minute windows kept by the LoginThrottle Durable Object (one
 * object per key). An attempt is reserved on every key of the request before any password is checked, in
 * one atomic step per object, so concurrent attempts can never get past the limit together; an attempt
 * that turns out right gives its reservations back. While a key is full, attempts are refused without
 * adding to it: the key is free again 15 minutes after the oldest attempt it holds.
 *
 * Three keys per sign-in, so that whoever guesses at one account cannot lock its owner out everywhere:
 * - (username, address): 10 — one client guessing one account;
 * - address: 50 — password spraying from one address, with room for people sharing it behind NAT;
 * - username: 100 — one account guessed from many addresses; far above what one address may try, so
 *   locking someone out from everywhere takes many addresses, while the guesses stay bounded.
 * No OAUTH2_* setting: these are the server's brute-force bounds, not a deployment choice.
 */
import type { AttemptThrottle, ThrottleKey } from '../storage/ports';

export const LOGIN_WINDOW_SECS = 15 * 60;
/** Failed attempts per (username, client address). */
export const LOGIN_MAX_FAILURES = 10;
/** Failed attempts per client address, across usernames. */
export const LOGIN_MAX_FAILURES_PER_IP = 50;
/** Failed attempts per username, across client addresses. */
export const LOGIN_MAX_FAILURES_PER_USER = 100;

export type { ThrottleKey } from '../storage/ports';

/** The answer of one object to a reservation. */
export interface ThrottleState {
  /** The attempt was admitted and counted. */
  granted: boolean;
  /** Attempts inside the window, this one included when granted. */
  attempts: number;
  /** Seconds until the next attempt is allowed; 0 when granted. */
  retryAfterSecs: number;
}

/** What the sign-in and device verification pages need from the throttle actors (one object per key). */
export interface LoginThrottlePort extends AttemptThrottle {
  /** Forgets every attempt on one key. */
  reset(key: ThrottleKey): Promise<void>;
}

/** The attempt times still inside the window at `now`, oldest first, at most `limit`. */
export function recentAttempts(attempts: readonly number[], now: number, limit: number): number[] {
  return attempts.filter((at) => at > now - LOGIN_WINDOW_SECS).slice(-limit);
}

/** Admits an attempt at `now` when fewer than `limit` are inside the window: the new list and the answer. */
export function reserveAttempt(
  attempts: readonly number[],
  now: number,
  limit: number,
): { attempts: number[]; state: ThrottleState } {
  const recent = recentAttempts(attempts, now, limit);
  const oldest = recent[0];
  if (recent.length < limit || oldest === undefined) {
    recent.push(now);
    return { attempts: recent, state: { granted: true, attempts: recent.length, retryAfterSecs: 0 } };
  }
  const retryAfterSecs = Math.max(1, oldest + LOGIN_WINDOW_SECS - now);
  return { attempts: recent, state: { granted: false, attempts: recent.length, retryAfterSecs } };
}

/** Removes one attempt made at `at` (a released reservation). */
export function releaseAttempt(attempts: readonly number[], at: number): number[] {
  const index = attempts.lastIndexOf(at);
  return index === -1 ? [...attempts] : attempts.toSpliced(index, 1);
}

/** The sign-in keys of an attempt (see the header for their limits). */
export interface LoginKeys {
  ipUser: ThrottleKey;
  ip: ThrottleKey;
  user: ThrottleKey;
}

export function throttleKeys(clientIp: string, username: string): LoginKeys {
  const ip = ipBucket(clientIp);
  const user = username.toLowerCase().slice(0, 256);
  return {
    // JSON keeps the pair unambiguous whatever the username holds.
    ipUser: { name: `ip-user:${JSON.stringify([ip, user])}`, limit: LOGIN_MAX_FAILURES },
    ip: { name: `ip:${ip}`, limit: LOGIN_MAX_FAILURES_PER_IP },
    user: { name: `user:${user}`, limit: LOGIN_MAX_FAILURES_PER_USER },
  };
}

/**
 * The keys of one device user-code attempt (src/oauth/device/verification.ts): the signed-in user (only
 * their own session spends it, so the low limit locks out nobody else) and the client address (higher:
 * people share addresses).
 */
export function userCodeThrottleKeys(clientIp: string, userId: string): ThrottleKey[] {
  return [
    { name: `device-user:${userId}`, limit: LOGIN_MAX_FAILURES },
    { name: `device-ip:${ipBucket(clientIp)}`, limit: LOGIN_MAX_FAILURES_PER_IP },
  ];
}

/**
 * IPv4 addresses as they are; IPv6 addresses by their /64 prefix, because one subscriber usually holds
 * a whole /64 and could otherwise rotate addresses inside it.
 */
export function ipBucket(ip: string): string {
  const address = ip.trim().toLowerCase();
  if (!address.includes(':')) return address;
  // IPv4-mapped (::ffff:192.0.2.1): the IPv4 address is the client.
  if (address.includes('.')) return address.slice(address.lastIndexOf(':') + 1);
  const halves = address.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length > 2 || (halves.length === 2 ? missing < 1 : missing !== 0)) return address;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const prefix = groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::/64`;
}
