/**
 * Random secrets for the Worker's configuration, shared by `npm start` (which writes them to .dev.vars) and
 * `npm run setup:cloudflare` (which puts them with `wrangler secret put`): one generator for both.
 */
import { randomBytes, randomInt } from 'node:crypto';

/** A random key: 32 bytes, base64url (43 characters). */
export const randomSecret = () => randomBytes(32).toString('base64url');

/** A readable password: 5 groups of 4 unambiguous characters (~116 bits), with upper, lower and digit. */
export function readablePassword() {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  for (;;) {
    const groups = [];
    for (let g = 0; g < 5; g += 1) {
      let group = '';
      for (let c = 0; c < 4; c += 1) group += alphabet[randomInt(alphabet.length)];
      groups.push(group);
    }
    const password = groups.join('-');
    if (/[A-Z]/.test(password) && /[a-z]/.test(password) && /\d/.test(password)) return password;
  }
}

/** Fresh values for every name of SECRET_NAMES (scripts/lib/local-env.mjs). */
export function generateSecrets() {
  return {
    OAUTH2_SESSION_KEY: randomSecret(),
    OAUTH2_KEY_ENCRYPTION_KEY: randomSecret(),
    OAUTH2_ADMIN_CLIENT_SECRET: randomSecret(),
    OAUTH2_SEED_PASSWORD: readablePassword(),
  };
}
