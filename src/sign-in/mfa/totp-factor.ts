/**
 * A user's authenticator app as the pages use it: setting it up (a pending secret, sealed with the
 * key-encryption key like the signing keys), confirming it with a first code (which also yields the ten
 * recovery codes, shown once), and checking a second-factor code at sign-in (a TOTP code, each time step
 * once; or a recovery code, each once).
 */
import { decryptSecret, encryptSecret } from '../../crypto/key-encryption';
import type { Storage } from '../../storage/ports';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes';
import { matchTotpStep, newTotpSecret, normaliseTotpCode } from './totp';

/** Which kind of code proved the second factor. */
export type SecondFactorCode = 'totp' | 'recovery';

/** The AES-GCM associated data of a user's sealed secret: it opens for that user only. */
const sealContext = (userId: string) => `totp:${userId}`;

/** Whether the user signs in with an authenticator app (a confirmed TOTP factor). */
export async function hasConfirmedTotp(storage: Storage, userId: string): Promise<boolean> {
  return (await storage.mfa.getTotp(userId))?.confirmed === true;
}

/**
 * The secret of the user's set-up-in-progress: the pending one (so a reloaded page shows the same
 * secret), else a new one stored as pending. Null when an authenticator app is already confirmed.
 */
export async function pendingTotpSecret(
  storage: Storage,
  kek: string,
  userId: string,
  now: number,
): Promise<string | null> {
  const existing = await storage.mfa.getTotp(userId);
  if (existing?.confirmed) return null;
  if (existing) return decryptSecret(kek, existing.secretEncrypted, sealContext(userId));
  const secret = newTotpSecret();
  await storage.mfa.putPendingTotp({
    userId,
    secretEncrypted: await encryptSecret(kek, secret, sealContext(userId)),
    confirmed: false,
    lastUsedStep: 0,
    createdAt: now,
  });
  return secret;
}

/**
 * Confirms the pending set-up with `input`: the ten new recovery codes (their hashes replace any
 * earlier ones) when the code is right and its step unused; null otherwise, and nothing changes.
 */
export async function confirmTotp(
  storage: Storage,
  kek: string,
  userId: string,
  input: string,
  now: number,
): Promise<string[] | null> {
  const factor = await storage.mfa.getTotp(userId);
  const code = normaliseTotpCode(input);
  if (factor === null || factor.confirmed || code === null) return null;
  const secret = await decryptSecret(kek, factor.secretEncrypted, sealContext(userId));
  const step = await matchTotpStep(secret, code, now);
  if (step === null || !(await storage.mfa.acceptTotpStep(userId, step))) return null;
  const codes = newRecoveryCodes();
  const hashes = await Promise.all(codes.map((c) => hashRecoveryCode(normaliseRecoveryCode(c) ?? c)));
  await storage.mfa.setRecoveryCodes(userId, hashes, now);
  return codes;
}

/**
 * Checks a second-factor code of a user with a confirmed authenticator app: six digits are a TOTP code
 * (accepted once per time step, RFC 6238 §5.2), anything else is tried as a recovery code (used up).
 */
export async function checkSecondFactor(
  storage: Storage,
  kek: string,
  userId: string,
  input: string,
  now: number,
): Promise<SecondFactorCode | null> {
  const totp = normaliseTotpCode(input);
  if (totp !== null) {
    const factor = await storage.mfa.getTotp(userId);
    if (!factor?.confirmed) return null;
    const secret = await decryptSecret(kek, factor.secretEncrypted, sealContext(userId));
    const step = await matchTotpStep(secret, totp, now);
    return step !== null && (await storage.mfa.acceptTotpStep(userId, step)) ? 'totp' : null;
  }
  const recovery = normaliseRecoveryCode(input);
  if (recovery === null) return null;
  return (await storage.mfa.consumeRecoveryCode(userId, await hashRecoveryCode(recovery)))
    ? 'recovery'
    : null;
}
