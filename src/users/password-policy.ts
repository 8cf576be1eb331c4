/** The policy for new passwords (NIST SP 800-63B §5.1.1.2: length, and not a known-common password). */

export const PASSWORD_MIN_LENGTH = 8;
/** Long enough for passphrases; bounded so hashing cost per request stays bounded. */
export const PASSWORD_MAX_LENGTH = 256;

/** A short list of the most common passwords (lower-cased); a breach-corpus check can replace it. */
const COMMON_PASSWORDS = new Set([
  '12345678',
  '123456789',
  '1234567890',
  '12345678910',
  '87654321',
  '11111111',
  '00000000',
  'password',
  'password1',
  'password12',
  'password123',
  'passw0rd',
  'p@ssw0rd',
  'qwertyuiop',
  'qwerty123',
  'qwerty12',
  '1q2w3e4r',
  '1qaz2wsx',
  'abc12345',
  'abcd1234',
  'iloveyou',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'trustno1',
  'letmein1',
  'welcome1',
  'changeme',
  'administrator',
  'admin123',
  'admin1234',
  'asdfghjkl',
  'zaq12wsx',
]);

/**
 * Why `password` may not be used as a new password, or null when it may. Length counts Unicode
 * code points, so a passphrase in any script is measured as its reader sees it.
 */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    return `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`;
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return 'is too common';
  return null;
}
