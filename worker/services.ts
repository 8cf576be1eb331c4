/** Builds the OAuthContext for a request: per-isolate caches, actor stubs and storage, from the bindings. */
import type { Config } from '../src/config';
import { KeyCache } from '../src/crypto/key-cache';
import type { AuthStatePort } from '../src/oauth/authorization-state';
import { CachedClientRegistry } from '../src/oauth/client-registry';
import { consentPort } from '../src/oauth/consents';
import type { OAuthContext, StoredAccessToken, TokenStatePort } from '../src/oauth/ports';
import { authActorName, tokenActorName } from '../src/oauth/sharded-id';
import { createStorage } from '../src/storage';

const now = () => Math.floor(Date.now() / 1000);

interface IsolateServices {
  keys: KeyCache;
  clients: CachedClientRegistry;
  tokens: TokenStatePort;
  auth: AuthStatePort;
}

/** One set per env object, i.e. per isolate: caches live as long as the isolate. */
const perIsolate = new WeakMap<Env, IsolateServices>();

function isolateServices(env: Env, config: Config): IsolateServices {
  let services = perIsolate.get(env);
  if (!services) {
    const keyRing = () => env.KEY_RING.get(env.KEY_RING.idFromName('key-ring'));
    const clientActor = (clientId: string) => env.CLIENT_ACTOR.get(env.CLIENT_ACTOR.idFromName(clientId));
    const authActor = (id: string) => env.AUTH_ACTOR.get(env.AUTH_ACTOR.idFromName(authActorName(id)));
    const tokenActor = (grantId: string) =>
      env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName(tokenActorName(grantId)));
    services = {
      keys: new KeyCache(() => keyRing().getKeys(), config.keyEncryptionKey),
      clients: new CachedClientRegistry(
        {
          get: (clientId) => clientActor(clientId).get(clientId),
          create: (client) => clientActor(client.clientId).create(client),
          replace: (client) => clientActor(client.clientId).replace(client),
          remove: (clientId) => clientActor(clientId).remove(clientId),
        },
        config,
        now,
      ),
      tokens: {
        storeAccessToken: (grantId, token: StoredAccessToken) =>
          tokenActor(grantId).storeAccessToken(grantId, token),
        findAccessToken: (grantId, hash) => tokenActor(grantId).findAccessToken(grantId, hash, now()),
        revokeGrant: (grantId, expiresAt) => tokenActor(grantId).revoke(grantId, expiresAt),
        isGrantRevoked: (grantId) => tokenActor(grantId).isRevoked(grantId),
        startFamily: (grantId, family, first) =>
          tokenActor(grantId).startFamily(grantId, family, first, now()),
        rotateRefreshToken: (grantId, request) =>
          tokenActor(grantId).rotateRefreshToken(grantId, request, now()),
        findRefreshToken: (grantId, hash) => tokenActor(grantId).findRefreshToken(grantId, hash, now()),
      },
      auth: {
        saveCode: (code, record) => authActor(code).saveCode(code, record),
        redeemCode: (code, check) => authActor(code).redeemCode(code, check),
        savePending: (requestId, request) => authActor(requestId).savePending(requestId, request),
        takePending: (requestId, userId) => authActor(requestId).takePending(requestId, userId),
      },
    };
    perIsolate.set(env, services);
  }
  return services;
}

/** The issuer: OAUTH2_PUBLIC_URL when set, else the request origin (no trailing slash). */
export function issuerFor(config: Config, requestUrl: string): string {
  return config.publicUrl ?? new URL(requestUrl).origin;
}

export function oauthContext(env: Env, config: Config, requestUrl: string): OAuthContext {
  const services = isolateServices(env, config);
  const storage = createStorage(env);
  return {
    config,
    issuer: issuerFor(config, requestUrl),
    now,
    clients: services.clients,
    keys: {
      keySet: () => services.keys.get(),
      verificationKey: (kid) => services.keys.verificationKey(kid),
    },
    tokens: services.tokens,
    auth: services.auth,
    consents: consentPort(storage.consents, now),
    storage,
  };
}

/** Drops this isolate's cached keys, after a rotation it made. */
export function invalidateKeys(env: Env): void {
  perIsolate.get(env)?.keys.invalidate();
}
