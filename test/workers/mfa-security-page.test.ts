/**
 * The security page's passkey list (contracts.md, "Multi-factor sign-in"): each enrolled passkey an element
 * with `data-factor="passkey"`, its name and last use, renamed and removed by POST forms with the CSRF token,
 * only the user's own. Passkeys are stored through the storage port (the WebAuthn ceremony has its own suite).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createD1Storage } from '../../src/storage/d1';
import type { PasskeyRecord } from '../../src/storage/mfa';
import { signedIn } from './admin-helpers';
import { inputValue } from './helpers';
import { newUser } from './mfa-helpers';

const storage = createD1Storage(env.DB);

function passkeyOf(userId: string, name: string): PasskeyRecord {
  return {
    credentialId: `cred-${crypto.randomUUID()}`,
    userId,
    publicKey: 'pQECAyYgASFYIA',
    signCount: 0,
    transports: ['internal'],
    name,
    deviceType: 'multiDevice',
    backedUp: true,
    createdAt: 1_750_000_000,
    lastUsedAt: null,
  };
}

describe('Passkeys on /profile/security', () => {
  it('lists, renames and removes the user’s own passkeys', async () => {
    const user = await newUser();
    const other = await newUser();
    const mine = passkeyOf(user.id, 'Laptop');
    const theirs = passkeyOf(other.id, 'Theirs');
    await storage.mfa.addPasskey(mine);
    await storage.mfa.addPasskey(theirs);
    const browser = await signedIn(user);

    const page = await (await browser.get('/profile/security')).text();
    expect(page.match(/data-factor="passkey"/g)).toHaveLength(1);
    expect(page).toContain('Laptop');
    expect(page).toContain('last used never');
    expect(page).not.toContain('Theirs');
    expect(page).toContain('<noscript>');
    const csrf = inputValue(page, 'csrf_token') as string;

    const renamed = await browser.postForm('/profile/security/passkeys/rename', {
      csrf_token: csrf,
      credential_id: mine.credentialId,
      name: 'Work laptop',
    });
    expect(renamed.status).toBe(303);
    expect((await storage.mfa.getPasskey(mine.credentialId))?.name).toBe('Work laptop');

    const notMine = await browser.postForm('/profile/security/passkeys/remove', {
      csrf_token: csrf,
      credential_id: theirs.credentialId,
    });
    expect(notMine.status).toBe(303);
    expect(await storage.mfa.getPasskey(theirs.credentialId)).not.toBeNull();

    const removed = await browser.postForm('/profile/security/passkeys/remove', {
      csrf_token: csrf,
      credential_id: mine.credentialId,
    });
    expect(removed.status).toBe(303);
    expect(await storage.mfa.getPasskey(mine.credentialId)).toBeNull();
    expect(await (await browser.get('/profile/security')).text()).not.toContain('data-factor=');
  });

  it('refuses a form without its CSRF token, and a malformed credential id', async () => {
    const user = await newUser();
    const browser = await signedIn(user);
    const page = await (await browser.get('/profile/security')).text();
    const forged = await browser.postForm('/profile/security/passkeys/remove', { credential_id: 'x' });
    expect(forged.status).toBe(403);
    const malformed = await browser.postForm('/profile/security/passkeys/remove', {
      // No factor yet, so no form: the passkey button carries the token.
      csrf_token: /data-csrf-token="([^"]+)"/.exec(page)?.[1] as string,
      credential_id: 'not base64url!',
    });
    expect(malformed.status).toBe(400);
  });
});
