/** Signing keys: generation (ES256 access tokens, RS256 ID tokens), import into a verified KeySet, JWKS (RFC 7517). */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SigningKeyRecord, SigningKeyUse } from '../storage/ports';
import { decryptSecret, encryptSecret } from './key-encryption';

/** The algorithm each key use is signed with. */
export const KEY_ALGORITHMS: Record<SigningKeyUse, 'ES256' | 'RS256'> = {
  access_token: 'ES256',
  id_token: 'RS256',
};

/** Creates a new key (active, or `next` to pre-publish it); the private JWK is encrypted under `kek` and bound to its kid. */
export async function generateSigningKey(
  use: SigningKeyUse,
  kek: string,
  now: number,
  status: 'active' | 'next' = 'active',
): Promise<SigningKeyRecord> {
  const alg = KEY_ALGORITHMS[use];
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
  active: Partial<Record<SigningKeyUse, ActiveKey>>;
  byKid: Map<string, VerificationKey>;
  jwks: { keys: JWK[] };
}

/** A key is in the JWKS and verifies while it is next, active, or retiring and not past `retiresAt`. */
export function isPublished(key: SigningKeyRecord, now: number): boolean {
  if (key.status === 'active' || key.status === 'next') return true;
  return key.status === 'retiring' && key.retiresAt !== null && key.retiresAt > now;
}

/** Imports the published keys; private parts only for the newest active key of each use. */
export async function importKeySet(records: SigningKeyRecord[], kek: string, now: number): Promise<KeySet> {
  const published = records.filter((key) => isPublished(key, now));
  const keySet: KeySet = { active: {}, byKid: new Map(), jwks: { keys: [] } };
  for (const record of published) {
    const jwk = JSON.parse(record.publicJwk) as JWK;
    const publicKey = (await importJWK(jwk, record.alg)) as CryptoKey;
    keySet.byKid.set(record.kid, { kid: record.kid, alg: record.alg, use: record.use, publicKey });
    keySet.jwks.keys.push(jwk);
    if (record.status === 'active' && !keySet.active[record.use]) {
      const privateJwk = JSON.parse(await decryptSecret(kek, record.privateJwkEncrypted, record.kid)) as JWK;
      const privateKey = (await importJWK(privateJwk, record.alg)) as CryptoKey;
      keySet.active[record.use] = { kid: record.kid, alg: record.alg, privateKey };
    }
  }
  return keySet;
}
