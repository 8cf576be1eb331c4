/** Encryption at rest of private signing keys: AES-256-GCM under a key derived (HKDF-SHA256) from OAUTH2_KEY_ENCRYPTION_KEY. */
import { derivedKeyPerSecret } from './derive-key';
import { fromBase64Url, toBase64Url, utf8 } from './encoding';

const FORMAT = 'v1';
const encryptionKey = derivedKeyPerSecret('oauth2-signing-keys', 'aes-256-gcm', 'aes-gcm');

/** Encrypts `plaintext`, binding it to `context` (the kid) as associated data: `v1.<iv>.<ciphertext>`. */
export async function encryptSecret(secret: string, plaintext: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(context) },
    await encryptionKey(secret),
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
    await encryptionKey(secret),
    fromBase64Url(ciphertext),
  );
  return new TextDecoder().decode(plain);
}
