/** src/crypto/jws.ts: our compact JWS signer produces JWTs that jose verifies, and refuses a mismatched key. */
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/crypto/encoding';
import { signJwt } from '../../src/crypto/jws';

/** WebCrypto key generation parameters (RSA or EC). */
type KeyGen = Parameters<typeof crypto.subtle.generateKey>[0];

async function keyPair(params: KeyGen) {
  return (await crypto.subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;
}

const RS256: KeyGen = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

describe('signJwt (compact JWS, RFC 7515 §7.1)', () => {
  it.each([
    ['ES256', { name: 'ECDSA', namedCurve: 'P-256' } as KeyGen],
    ['RS256', RS256],
  ])('%s: jose verifies the token, its header and every claim (UTF-8 included)', async (alg, params) => {
    const { privateKey, publicKey } = await keyPair(params);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'https://issuer.example',
      sub: 'user-1',
      aud: ['https://api.example', 'https://issuer.example/mcp'],
      iat: now,
      exp: now + 60,
      jti: 'jti-1',
      name: 'Zoë Ünïcode 𝄞',
      cnf: { jkt: 'abc' },
    };
    const jwt = await signJwt({ kid: 'k1', alg, privateKey }, 'at+jwt', claims);
    expect(jwt.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg, typ: 'at+jwt', kid: 'k1' });
    const { payload } = await jwtVerify(jwt, publicKey, {
      algorithms: [alg],
      typ: 'at+jwt',
      issuer: 'https://issuer.example',
      audience: 'https://api.example',
    });
    expect(payload).toEqual(claims);
    // A second token of the same key reuses the header and still verifies.
    const again = await signJwt({ kid: 'k1', alg, privateKey }, 'JWT', { sub: 'x', exp: now + 60 });
    expect(decodeProtectedHeader(again)).toEqual({ alg, typ: 'JWT', kid: 'k1' });
    await expect(jwtVerify(again, publicKey, { algorithms: [alg] })).resolves.toBeTruthy();
    // Tampering is caught.
    const [h, , s] = jwt.split('.');
    const forged = `${h}.${toBase64Url(utf8(JSON.stringify({ ...claims, sub: 'admin' })))}.${s}`;
    await expect(jwtVerify(forged, publicKey, { algorithms: [alg] })).rejects.toThrow();
  });

  it('refuses a key that cannot make the announced algorithm, and unknown algorithms', async () => {
    const ec = await keyPair({ name: 'ECDSA', namedCurve: 'P-256' });
    const p384 = await keyPair({ name: 'ECDSA', namedCurve: 'P-384' });
    const rsa = await keyPair(RS256);
    await expect(signJwt({ kid: 'a', alg: 'RS256', privateKey: ec.privateKey }, 'JWT', {})).rejects.toThrow(
      TypeError,
    );
    await expect(signJwt({ kid: 'b', alg: 'ES256', privateKey: rsa.privateKey }, 'JWT', {})).rejects.toThrow(
      TypeError,
    );
    await expect(signJwt({ kid: 'c', alg: 'ES256', privateKey: p384.privateKey }, 'JWT', {})).rejects.toThrow(
      TypeError,
    );
    await expect(signJwt({ kid: 'd', alg: 'none', privateKey: ec.privateKey }, 'JWT', {})).rejects.toThrow(
      TypeError,
    );
  });
});
