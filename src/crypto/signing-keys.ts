/**
 * Signing keys (RFC 7517): one key per use and algorithm, so a token of one kind can never pass for
 * another by its signature: ES256 access tokens; RS256 or ES256 ID tokens, which also sign back-channel
 * logout tokens. Generation, import into a verified KeySet, and the JWKS.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SigningKeyRecord, SigningKeyUse } from '../storage/ports';
import { decryptSecret, encryptSecret } from './key-encryption';

export type SigningAlg = 'ES256' | 'RS256';

/** What one key signs: tokens of `use`, with `alg`. */
export interface KeySlot {
  use: SigningKeyUse;
  alg: SigningAlg;
}

/** Every key the ring keeps active; an access-token key never signs an ID or logout token. */
export const KEY_SLOTS: readonly KeySlot[] = [
  { use: 'access_token', alg: 'ES256' },
  { use: 'id_token', alg: 'RS256' },
  { use: 'id_token', alg: 'ES256' },
];

/** True when `key` fills `slot`. */
export function inSlot(key: Pick<SigningKeyRecord, 'use' | 'alg'>, slot: KeySlot): boolean {
  return key.use === slot.use && key.alg === slot.alg;
}

/** Creates a new key (active, or `next` to pre-publish it); the private JWK is encrypted under `kek` and bound to its kid. */
export async function generateSigningKey(
  slot: KeySlot,
  kek: string,
  now: number,
  status: 'active' | 'next' = 'active',
): Promise<SigningKeyRecord> {
  const { use, alg } = slot;
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    use,
    status,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    privateJwkEncrypted: await encryptSecret(kek, JSON.stringify(privateJwk), kid),
    createdAt: now,
    retiresAt: null,
  };
}

export interface ActiveKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
}

export interface VerificationKey {
  kid: string;
  alg: string;
  use: SigningKeyUse;
  publicKey: CryptoKey;
}

/** Imported keys ready for signing and verification, plus the public JWKS document. */
export interface KeySet {
  /** The signing key of each slot, by use then alg. */
  active: Record<SigningKeyUse, Partial<Record<SigningAlg, ActiveKey>>>;
  byKid: Map<string, VerificationKey>;
  jwks: { keys: JWK[] };
}

/** A key is in the JWKS and verifies while it is next, active, or retiring and not past `retiresAt`. */
export function isPublished(key: SigningKeyRecord, now: number): boolean {
  if (key.status === 'active' || key.status === 'next') return true;
  return key.status === 'retiring' && key.retiresAt !== null && key.retiresAt > now;
}

/** Imports the published keys; private parts only for the newest active key of each slot. */
export async function importKeySet(records: SigningKeyRecord[], kek: string, now: number): Promise<KeySet> {
  const published = records.filter((key) => isPublished(key, now));
  const keySet: KeySet = { active: { access_token: {}, id_token: {} }, byKid: new Map(), jwks: { keys: [] } };
  for (const record of published) {
    const jwk = JSON.parse(record.publicJwk) as JWK;
    const publicKey = (await importJWK(jwk, record.alg)) as CryptoKey;
    keySet.byKid.set(record.kid, { kid: record.kid, alg: record.alg, use: record.use, publicKey });
    keySet.jwks.keys.push(jwk);
    const slot = KEY_SLOTS.find((candidate) => inSlot(record, candidate));
    if (record.status === 'active' && slot && !keySet.active[slot.use][slot.alg]) {
      const privateJwk = JSON.parse(await decryptSecret(kek, record.privateJwkEncrypted, record.kid)) as JWK;
      const privateKey = (await importJWK(privateJwk, record.alg)) as CryptoKey;
      keySet.active[slot.use][slot.alg] = { kid: record.kid, alg: record.alg, privateKey };
    }
  }
  return keySet;
}
