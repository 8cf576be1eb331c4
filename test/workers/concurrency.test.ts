import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newGrantId, tokenActorName } from '../../src/oauth/sharded-id';
import { ADMIN_ID, ADMIN_SECRET, adminToken, basic, type Poster, post, postWith } from './helpers';

const auth = { Authorization: basic(ADMIN_ID, ADMIN_SECRET) };

async function isActive(token: string, call: Poster = post): Promise<boolean> {
  const res = await call('/oauth/introspect', { token }, auth);
  return ((await res.json()) as { active: boolean }).active;
}

describe('Concurrency: revocation racing introspection and issuance', () => {
  it('leaves no revoked JWT active, whatever the interleaving', async () => {
    const tokens = await Promise.all(Array.from({ length: 15 }, () => adminToken('read')));
    const racing = tokens.flatMap((token) => [
      post('/oauth/revoke', { token }, auth),
      isActive(token),
      isActive(token),
      adminToken('read'),
    ]);
    await Promise.all(racing);
    const after = await Promise.all(tokens.map((token) => isActive(token)));
    expect(after.every((active) => !active)).toBe(true);
  });

  it('leaves no revoked opaque token active', async () => {
    const call = postWith({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });
    const tokens = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await call('/oauth/token', { grant_type: 'client_credentials' }, auth);
        return ((await res.json()) as { access_token: string }).access_token;
      }),
    );
    await Promise.all(
      tokens.flatMap((token) => [call('/oauth/revoke', { token }, auth), isActive(token, call)]),
    );
    const after = await Promise.all(tokens.map((token) => isActive(token, call)));
    expect(after.every((active) => !active)).toBe(true);
  });

  it('a TokenActor never holds a live token in a revoked grant, in either order', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (let round = 0; round < 10; round++) {
      const grantId = newGrantId(4);
      const actor = env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName(tokenActorName(grantId)));
      const hash = `hash-${round}`;
      const token = {
        hash,
        jti: `${grantId}.x`,
        clientId: ADMIN_ID,
        sub: ADMIN_ID,
        scope: 'read',
        aud: [ADMIN_ID],
        issuedAt: now,
        expiresAt: now + 3600,
      };
      const [stored] = await Promise.all([
        actor.storeAccessToken(grantId, token),
        actor.revoke(grantId, now + 3600),
      ]);
      expect(await actor.isRevoked(grantId)).toBe(true);
      expect(await actor.findAccessToken(grantId, hash, now)).toBeNull();
      expect(typeof stored).toBe('boolean');
    }
  });
});
