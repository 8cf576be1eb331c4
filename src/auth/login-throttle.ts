/**
 * Failed sign-in limits: at most 10 failures per 15 minutes per client IP and per username, as a
 * sliding window over the times of the last 10 failures (the LoginThrottle Durable Object keeps them).
 * While limited, attempts are refused before any password is checked, so they add no failures: a key
 * is free again 15 minutes after the oldest of its last 10 failures. A success clears the username key.
 */

export const LOGIN_MAX_FAILURES = 10;
export const LOGIN_WINDOW_SECS = 15 * 60;

export interface ThrottleState {
  limited: boolean;
  /** Failures inside the window. */
  failures: number;
  /** Seconds until the next attempt is allowed; 0 when not limited. */
  retryAfterSecs: number;
}

/** The failure times still inside the window at `now`, oldest first, at most LOGIN_MAX_FAILURES. */
export function recentFailures(failures: readonly number[], now: number): number[] {
  return failures.filter((at) => at > now - LOGIN_WINDOW_SECS).slice(-LOGIN_MAX_FAILURES);
}

export function throttleState(failures: readonly number[], now: number): ThrottleState {
  const recent = recentFailures(failures, now);
  const oldest = recent[0];
  if (recent.length < LOGIN_MAX_FAILURES || oldest === undefined) {
    return { limited: false, failures: recent.length, retryAfterSecs: 0 };
  }
  return { limited: true, failures: recent.length, retryAfterSecs: oldest + LOGIN_WINDOW_SECS - now };
}

/** What the sign-in route needs from the throttle actors. Keys come from `throttleKeys`. */
export interface LoginThrottlePort {
  /** The combined state of the keys: limited when any of them is. */
  check(keys: readonly string[]): Promise<ThrottleState>;
  recordFailure(keys: readonly string[]): Promise<void>;
  reset(key: string): Promise<void>;
}

/** The two throttle keys of an attempt: `ip:<address or IPv6 /64>` and `user:<lower-cased username>`. */
export function throttleKeys(clientIp: string, username: string): { ip: string; user: string } {
  return { ip: `ip:${ipBucket(clientIp)}`, user: `user:${username.toLowerCase().slice(0, 256)}` };
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
