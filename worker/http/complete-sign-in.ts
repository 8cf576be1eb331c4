/**
 * The end of every browser sign-in, whatever proved who the user is (a password, a password and a
 * second factor, a passkey): a new session carrying the RFC 8176 `amr` values, the sign-in event, and a
 * 303 to `returnTo` (which carries on to consent or the client, as the password form always did).
 */
import type { Context } from 'hono';
import type { SessionRecord, UserRecord } from '../../src/storage/ports';
import type { AppEnv } from '../context';
import { requestEvents } from '../middleware/observability';
import { signIn } from '../middleware/session';

/** How long after signing in a user may add or remove a second factor without signing in again. */
export const RECENT_SIGN_IN_SECS = 5 * 60;

/**
 * Signs `user` in with the methods `amr` and redirects (303) to `returnTo`, a path already made safe
 * (src/sign-in/return-to.ts). The caller has checked every factor and released any throttle reservation.
 */
export async function completeSignIn(
  c: Context<AppEnv>,
  user: UserRecord,
  amr: string[],
  returnTo: string,
): Promise<Response> {
  await signIn(c, user, amr);
  requestEvents(c).publish({
    type: 'user_authenticated',
    userId: user.id,
    metadata: { method: signInMethod(amr), amr: amr.join(' ') },
  });
  c.header('Cache-Control', 'no-store');
  return c.redirect(returnTo, 303);
}

/** The event's `method`: `password` when a password was one of the factors, else `passkey`. */
function signInMethod(amr: readonly string[]): string {
  return amr.includes('pwd') ? 'password' : 'passkey';
}

/** Whether the sign-in of `session` is recent enough (RECENT_SIGN_IN_SECS) to change its user's factors. */
export function recentlySignedIn(session: Pick<SessionRecord, 'authTime'>, now: number): boolean {
  return now - session.authTime <= RECENT_SIGN_IN_SECS;
}
