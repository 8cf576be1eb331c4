/** Builds the OAuthContext for a request: per-isolate caches, actor stubs and storage, from the bindings. */
import type { Config } from '../src/config';
import { KeyCache } from '../src/crypto/key-cache';
import { DenylistCache, withClientDenylist } from '../src/denylist';
import type { AuthStatePort } from '../src/oauth/authorization-state';
import { CachedClientRegistry } from '../src/oauth/client-registry';
import { consentPort } from '../src/oauth/consents';
import { userCodeShard } from '../src/oauth/device/codes';
import type {
  ClientRegistry,
  OAuthContext,
  ReplayPort,
  StoredAccessToken,
  TokenStatePort,
} from '../src/oauth/ports';
import {
  CLIENT_METADATA_TARGET,
  withClientIdMetadataDocuments,
} from '../src/oauth/registration/client-id-metadata';
import { replayGuardName, replayPort } from '../src/oauth/replay';
import { authActorName, tokenActorName } from '../src/oauth/sharded-id';
import { MAX_STORED_RESOURCES, MAX_STORED_SCOPES, StoredRegistryCache } from '../src/oauth/stored-registry';
import { issueIdToken } from '../src/oidc/id-token';
import type { WaitUntil } from '../src/storage';
import type { AuditEntry, SigningKeyRecord } from '../src/storage/ports';
import { viaActor } from './actor-errors';
import { outboundBreakers, resilientStorage } from './resilience';
import { eventPort } from './telemetry';

const now = () => Math.floor(Date.now() / 1000);

interface IsolateServices {
  keys: KeyCache;
  clients: CachedClientRegistry;
  /** `clients` as every endpoint reads them: a denylisted client reads as disabled. */
  deniableClients: ClientRegistry;
  denylist: DenylistCache;
  rotateKeys(audit?: AuditEntry): Promise<SigningKeyRecord[]>;
  tokens: TokenStatePort;
  auth: AuthStatePort;
  replay: ReplayPort;
  registry: StoredRegistryCache;
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
    const replayGuard = (key: string) =>
      env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(replayGuardName(key)));
    const clients = new CachedClientRegistry(
      {
        get: (clientId) => viaActor(clientActor(clientId).get(clientId)),
        create: (client, audit) => viaActor(clientActor(client.clientId).create(client, audit)),
        replace: (client, audit) => viaActor(clientActor(client.clientId).replace(client, audit)),
        remove: (clientId, audit) => viaActor(clientActor(clientId).remove(clientId, audit)),
      },
      config,
      now,
    );
    const denylist = new DenylistCache(
      (at, limit) => resilientStorage(env, config).denylist.listActive(at, limit),
      now,
    );
    services = {
      keys: new KeyCache(() => viaActor(keyRing().getKeys()), config.keyEncryptionKey),
      clients,
      // An https client_id names its metadata document (when enabled); the denylist applies to those too.
      deniableClients: withClientDenylist(
        config.clientIdMetadataDocuments
          ? withClientIdMetadataDocuments(clients, now, {
              breaker: outboundBreakers(env, config, CLIENT_METADATA_TARGET),
              scopes: config.scopes,
            })
          : clients,
        denylist,
        now,
      ),
      denylist,
      rotateKeys: (audit) => viaActor(keyRing().rotate(audit)),
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
        savePushed: (reference, request) => authActor(reference).savePushed(reference, request),
        peekPushed: (reference) => authActor(reference).peekPushed(reference),
        holdPushed: (reference, until, signIn) => authActor(reference).holdPushed(reference, until, signIn),
        takePushed: (reference) => authActor(reference).takePushed(reference),
        saveDevice: (deviceCode, userCode, device) =>
          authActor(deviceCode).saveDevice(deviceCode, userCode, device),
        lookupUserCode: (userCode) =>
          authActor(userCodeShard(userCode, config.tokenActorShards)).lookupUserCode(userCode),
        decideUserCode: (userCode, decision) =>
          authActor(userCodeShard(userCode, config.tokenActorShards)).decideUserCode(userCode, decision),
        pollDevice: (deviceCode, clientId) => authActor(deviceCode).pollDevice(deviceCode, clientId),
      },
      replay: replayPort((key, expiresAt) => replayGuard(key).claim(key, expiresAt, now())),
      registry: new StoredRegistryCache(async () => {
        const storage = resilientStorage(env, config);
        const [scopes, resources] = await Promise.all([
          storage.scopes.all(MAX_STORED_SCOPES),
          storage.resources.all(MAX_STORED_RESOURCES),
        ]);
        return { scopes, resources };
      }, now),
    };
    perIsolate.set(env, services);
  }
  return services;
}

/** The issuer: OAUTH2_PUBLIC_URL when set, else the request origin (no trailing slash). */
export function issuerFor(config: Config, requestUrl: string): string {
  return config.publicUrl ?? new URL(requestUrl).origin;
}

/**
 * The OAuthContext of one request. `scope` is the request's ExecutionContext: with it, a Postgres pool
 * serves the whole request and ends after the response (see createStorage); tests calling `app.request`
 * without one get a connection per operation. Storage calls go through the storage circuit breaker.
 */
export function oauthContext(env: Env, config: Config, requestUrl: string, scope?: WaitUntil): OAuthContext {
  const services = isolateServices(env, config);
  const storage = resilientStorage(env, config, scope);
  return {
    config,
    issuer: issuerFor(config, requestUrl),
    now,
    clients: services.deniableClients,
    keys: {
      keySet: () => services.keys.get(),
      verificationKey: (kid, use) => services.keys.verificationKey(kid, use),
    },
    tokens: services.tokens,
    auth: services.auth,
    consents: consentPort(storage.consents, now),
    storage,
    events: eventPort(env, config, scope),
    replay: services.replay,
    idTokens: { issue: issueIdToken },
    outboundBreaker: (target, host) => outboundBreakers(env, config, target)?.(host),
  };
}

/** Drops this isolate's cached keys, after a rotation it made. */
export function invalidateKeys(env: Env): void {
  perIsolate.get(env)?.keys.invalidate();
}

/** This isolate's copy of the scopes and APIs defined through the admin API (src/oauth/stored-registry.ts). */
export function storedRegistry(env: Env, config: Config): StoredRegistryCache {
  return isolateServices(env, config).registry;
}

/** This isolate's copy of the denylist (see src/denylist/cache.ts). */
export function denylistCache(env: Env, config: Config): DenylistCache {
  return isolateServices(env, config).denylist;
}

/**
 * Rotates the signing keys through the KeyRing (with `audit` written in the same change), then drops this
 * isolate's cached keys so they sign at once.
 */
export async function rotateSigningKeys(
  env: Env,
  config: Config,
  audit?: AuditEntry,
): Promise<SigningKeyRecord[]> {
  const keys = await isolateServices(env, config).rotateKeys(audit);
  invalidateKeys(env);
  return keys;
}
