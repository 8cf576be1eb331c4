/**
 * Server-side browser sessions. The cookie carries only an opaque 256-bit random value; the store
 * keeps its SHA-256, a separate random public `sid` (OIDC), the user and the absolute expiry (12 h,
 * not extended by use). A new value is issued at every sign-in (no fixation); deleting the record ends
 * the session at once.
 */
import { sha256 } from '../crypto/hash';
import { randomId, randomToken } from '../crypto/random';
import type { SessionRecord, Storage, UserRecord, UserRole } from '../storage/ports';

/** Absolute session lifetime: 12 hours from sign-in. */
export const SESSION_TTL_SECS = 12 * 60 * 60;

/** 32 random bytes as base64url. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The signed-in user as pages and the authorization endpoint see it (`c.var.session`). */
export interface SessionInfo {
  /** SHA-256 of the cookie value: the session's storage key. */
  idHash: string;
  /** Public session id, for OIDC `sid` claims. */
  sid: string;
  userId: string;
  username: string;
  name: string | null;
  role: UserRole;
  email: string | null;
  emailVerified: boolean;
  /** When the user last signed in with a credential (OIDC `auth_time`), epoch seconds. */
  authTime: number;
  /** How they signed in: RFC 8176 `amr` values (`pwd`); empty when nothing can be asserted (federated). */
  amr: string[];
  expiresAt: number;
}

/** A session just started: the value for the cookie (shown only here) and what was stored. */
export interface StartedSession {
  cookieValue: string;
  info: SessionInfo;
}

/** Stores a new session for `user`, authenticated at `now` by the methods `amr` (RFC 8176). */
export async function startSession(
  storage: Storage,
  user: UserRecord,
  now: number,
  amr: readonly string[] = [],
): Promise<StartedSession> {
  const cookieValue = randomToken(32);
  const record: SessionRecord = {
    idHash: await sha256(cookieValue),
    sid: randomId(),
    userId: user.id,
    authTime: now,
    amr: amr.length > 0 ? amr.join(' ') : null,
    createdAt: now,
    expiresAt: now + SESSION_TTL_SECS,
  };
  await storage.sessions.create(record);
  return { cookieValue, info: sessionInfo(record, user) };
}

/**
 * The live session for a cookie value: null when the value is malformed (no storage read), unknown,
 * expired, or its user was deleted or disabled.
 */
export async function loadSession(
  storage: Storage,
  cookieValue: string,
  now: number,
): Promise<SessionInfo | null> {
  if (!COOKIE_VALUE.test(cookieValue)) return null;
  const found = await storage.sessions.get(await sha256(cookieValue), now);
  if (!found?.user.enabled) return null;
  return sessionInfo(found.session, found.user);
}

function sessionInfo(session: SessionRecord, user: UserRecord): SessionInfo {
  return {
    idHash: session.idHash,
    sid: session.sid,
    userId: user.id,
    username: user.username,
    name: user.name,
    role: user.role,
    email: user.email,
    emailVerified: user.emailVerified,
    authTime: session.authTime,
    amr: (session.amr ?? '').split(' ').filter(Boolean),
    expiresAt: session.expiresAt,
  };
}
