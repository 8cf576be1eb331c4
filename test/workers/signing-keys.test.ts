import { env } from 'cloudflare:test';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { decryptSecret } from '../../src/crypto/key-encryption';
import { createStorage } from '../../src/storage';
import { ADMIN_ID, ADMIN_SECRET, adminToken, basic, postWith } from './helpers';

const auth = { Authorization: basic(ADMIN_ID, ADMIN_SECRET) };
const keyRing = () => env.KEY_RING.get(env.KEY_RING.idFromName('key-ring'));

async function issue(call = postWith({})): Promise<string> {
  const res = await call('/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, auth);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('KeyRing: signing keys', () => {
  it('creates one ES256 access-token key and RS256 and ES256 ID-token keys on first use', async () => {
    const keys = await keyRing().getKeys();
    const active = keys.filter((key) => key.status === 'active');
    expect(active.map((key) => `${key.use}:${key.alg}`).sort()).toEqual([
      'access_token:ES256',
      'id_token:ES256',
      'id_token:RS256',
    ]);
    // A second call returns the same keys, not new ones.
    expect((await keyRing().getKeys()).map((key) => key.kid).sort()).toEqual(
      keys.map((key) => key.kid).sort(),
    );
  });

  it('stores private keys encrypted with OAUTH2_KEY_ENCRYPTION_KEY and bound to their kid', async () => {
    await keyRing().getKeys();
    const stored = await createStorage(env).signingKeys.list();
    expect(stored.length).toBeGreaterThanOrEqual(3);
    for (const key of stored) {
      expect(key.privateJwkEncrypted).toMatch(/^v1\./);
      expect(key.privateJwkEncrypted).not.toContain('"d"');
      const kek = env.OAUTH2_KEY_ENCRYPTION_KEY ?? '';
      const plain = JSON.parse(await decryptSecret(kek, key.privateJwkEncrypted, key.kid)) as { d?: string };
      expect(typeof plain.d).toBe('string');
      await expect(
        decryptSecret('another-key-encryption-key-of-enough-length', key.privateJwkEncrypted, key.kid),
      ).rejects.toThrow();
      await expect(decryptSecret(kek, key.privateJwkEncrypted, 'another-kid')).rejects.toThrow();
      expect(JSON.parse(key.publicJwk).d).toBeUndefined();
    }
  });

  it('rotates with overlap: new tokens use the new key, old tokens stay valid', async () => {
    const before = await adminToken('read');
    const oldKid = decodeProtectedHeader(before).kid;
    await keyRing().rotate();

    // A fresh isolate view (new env object) picks the rotated keys up at once.
    const fresh = postWith({});
    const after = await issue(fresh);
    const newKid = decodeProtectedHeader(after).kid;
    expect(newKid).not.toBe(oldKid);

    for (const token of [before, after]) {
      const res = await fresh('/oauth/introspect', { token }, auth);
      expect(((await res.json()) as { active: boolean }).active).toBe(true);
    }
    const keys = await keyRing().getKeys();
    const retiring = keys.find((key) => key.kid === oldKid);
    expect(retiring?.status).toBe('retiring');
    expect(retiring?.retiresAt).toBeGreaterThan(Math.floor(Date.now() / 1000) + 3600);
  });
});
