/**
 * Password sign-in: one generic failure for an unknown user, a wrong password and a disabled account,
 * with the same work done in each case (no user enumeration by answer or timing). A hash made with
 * weaker parameters than today's is replaced after a successful sign-in.
 */
import { hashPassword, verifyDummyPassword, verifyPassword } from '../crypto/password';
import type { Storage, UserRecord } from '../storage/ports';

/** No stored username is longer (see USERNAME_PATTERN); longer input is refused after the same work. */
const USERNAME_MAX_LENGTH = 256;

/** The user when `username` (case-insensitive) and `password` match an enabled account, else null. */
export async function checkCredentials(
  storage: Storage,
  username: string,
  password: string,
  now: number,
): Promise<UserRecord | null> {
  // PBKDF2 first hashes a long password down to one block, so its length does not change the cost.
  const user = username.length <= USERNAME_MAX_LENGTH ? await storage.users.getByUsername(username) : null;
  if (user === null) {
    await verifyDummyPassword(password);
    return null;
  }
  const check = await verifyPassword(password, user.passwordHash);
  if (!check.ok || !user.enabled) return null;
  if (check.needsRehash) {
    const upgraded = { ...user, passwordHash: await hashPassword(password), updatedAt: now };
    await storage.users.update(upgraded);
    return upgraded;
  }
  return user;
}
