/**
 * The CPU cost of one ES256 signature with WebCrypto (crypto.subtle, as the Worker signs), measured in this
 * Node process: the process's CPU time (all threads, process.cpuUsage) over `count` sequential signatures of
 * a JWT-sized signing input, after a warm-up. It is the "one signature" of the CPU target: a JWT access
 * token request should cost at most 2x (the bare route's CPU per request + one signature).
 */
import { webcrypto } from 'node:crypto';

const { subtle } = webcrypto;

export async function es256SignatureCost({ count = 2000, warmup = 200 } = {}) {
  const { privateKey } = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  // A typical header.payload of an RFC 9068 access token (~330 bytes).
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k'.repeat(22) })).toString(
    'base64url',
  );
  const payload = Buffer.from(
    JSON.stringify({
      iss: 'https://auth.example.com',
      sub: 'client-0123456789',
      aud: ['client-0123456789'],
      exp: 1_900_000_000,
      iat: 1_899_996_400,
      jti: `${'g'.repeat(22)}.${'r'.repeat(22)}`,
      client_id: 'client-0123456789',
      scope: 'read',
    }),
  ).toString('base64url');
  const input = new TextEncoder().encode(`${header}.${payload}`);
  const algorithm = { name: 'ECDSA', hash: 'SHA-256' };
  for (let i = 0; i < warmup; i += 1) await subtle.sign(algorithm, privateKey, input);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await subtle.sign(algorithm, privateKey, input);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return {
    count,
    cpuMsPerSignature: (used.user + used.system) / 1000 / count,
    wallMsPerSignature: wallMs / count,
    how: 'WebCrypto ECDSA P-256/SHA-256 in Node, sequential, process CPU time / signatures',
  };
}
