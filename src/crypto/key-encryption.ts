/** Encryption at rest of private signing keys: AES-256-GCM under a key derived (HKDF-SHA256) from OAUTH2_KEY_ENCRYPTION_KEY. */
import { fromBase64Url, toBase64Url, utf8 } from './encoding';

const FORMAT = 'v1';
const derived = new Map<string, Promise<CryptoKey>>();

function deriveKey(secret: string): Promise<CryptoKey> {
  let key = derived.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', utf8(secret), 'HKDF', false, ['deriveKey'])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: utf8('oauth2-signing-keys'), info: utf8('aes-256-gcm') },
          material,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    derived.set(secret, key);
  }
  return key;
}

/** Encrypts `plaintext`, binding it to `context` (the kid) as associated data: `v1.<iv>.<ciphertext>`. */
export async function encryptSecret(secret: string, plaintext: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(context) },
    await deriveKey(secret),
    utf8(plaintext),
  );
  return `${FORMAT}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** Reverses `encryptSecret`; throws when the key, the context or the ciphertext is wrong. */
export async function decryptSecret(secret: string, sealed: string, context: string): Promise<string> {
  const [format, iv, ciphertext] = sealed.split('.');
  if (format !== FORMAT || !iv || !ciphertext) throw new Error('unknown encrypted key format');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: utf8(context) },
    await deriveKey(secret),
    fromBase64Url(ciphertext),
  );
  return new TextDecoder().decode(plain);
}
