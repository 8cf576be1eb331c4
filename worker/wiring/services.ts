/** Builds the OAuthContext for a request: per-isolate caches, actor stubs and storage, from the bindings. */
import { type Clock, systemClock } from '../../src/clock';
import type { Config } from '../../src/config';
import { KeyCache } from '../../src/crypto/key-cache';
import { DenylistCache, withClientDenylist } from '../../src/denylist';
import type { AuthStatePort } from '../../src/oauth/authorization-state';
import { CachedClientRegistry } from '../../src/oauth/client-registry';
import { consentPort } from '../../src/oauth/consents';
import { userCodeShard } from '../../src/oauth/device/codes';
import type { ClientRegistry, OAuthContext, ReplayPort, TokenStatePort } from '../../src/oauth/ports';
import {
  CLIENT_METADATA_TARGET,
  withClientIdMetadataDocuments,
} from '../../src/oauth/registration/client-id-metadata';
import { replayGuardName, replayPort } from '../../src/oauth/replay';
import {
  MAX_STORED_RESOURCES,
  MAX_STORED_SCOPES,
  StoredRegistryCache,
} from '../../src/oauth/scopes/stored-registry';
import { authActorName, tokenActorName } from '../../src/oauth/sharded-id';
import { issueIdToken } from '../../src/oidc/id-token';
import type { PasskeyChallengePort } from '../../src/sign-in/passkeys/challenges';
import type { WaitUntil } from '../../src/storage';
import type { AuditEntry, ClientRecord, SigningKeyRecord } from '../../src/storage/ports';
import { viaActor } from './actor-errors';
import { actorPort, timedActorPort } from './actor-port';
import { outboundBreakers, resilientStorage } from './resilience';
import { eventPort } from './telemetry';

/** The clock of every OAuthContext and per-isolate cache built here. */
const clock: Clock = systemClock;
const now = () => clock.nowSecs();

interface IsolateServices {
  keys: KeyCache;
  clients: CachedClientRegistry;
  /** `clients` as every endpoint reads them: a denylisted client reads as disabled. */
  deniableClients: ClientRegistry;
  denylist: DenylistCache;
  rotateKeys(audit?: AuditEntry): Promise<SigningKeyRecord[]>;
  tokens: TokenStatePort;
  auth: AuthStatePort;
  /** WebAuthn challenges, in the AuthActor their id names. */
  passkeyChallenges: PasskeyChallengePort;
  replay: ReplayPort;
  registry: StoredRegistryCache;
}

/** One set per env object, i.e. per isolate: caches live as long as the isolate. */
const perIsolate = new WeakMap<Env, IsolateServices>();

function isolateServices(env: Env, config: Config): IsolateServices {
  let services = perIsolate.get(env);
  if (!services) {
    const keyRing = actorPort(
      () => env.KEY_RING.get(env.KEY_RING.idFromName('key-ring')),
      ['getKeys', 'rotate'],
      viaActor,
    );
    const clientActor = (clientId: string) => env.CLIENT_ACTOR.get(env.CLIENT_ACTOR.idFromName(clientId));
    const authActor = (id: string) => env.AUTH_ACTOR.get(env.AUTH_ACTOR.idFromName(authActorName(id)));
    const tokenActor = (grantId: string) =>
      env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName(tokenActorName(grantId)));
    const replayGuard = (key: string) =>
      env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(replayGuardName(key)));
    const clients = new CachedClientRegistry(
      {
        // A client's actor is named by its client_id: the argument itself, or the record's.
        ...actorPort(clientActor, ['get', 'remove'], viaActor),
        ...actorPort((client: ClientRecord) => clientActor(client.clientId), ['create', 'replace'], viaActor),
      },
      config,
      now,
    );
    const denylist = new DenylistCache(
      (at, limit) => resilientStorage(env, config).denylist.listActive(at, limit),
      now,
    );
    services = {
      keys: new KeyCache(() => keyRing.getKeys(), config.keyEncryptionKey, undefined, clock),
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
      rotateKeys: keyRing.rotate,
      // A grant's TokenActor is named by the grant id; the reads and refresh steps take the caller's time.
      tokens: {
        ...actorPort(tokenActor, ['storeAccessToken', 'revoke', 'isRevoked']),
        ...timedActorPort(
          tokenActor,
          ['findAccessToken', 'startFamily', 'rotateRefreshToken', 'findRefreshToken'],
          now,
        ),
      },
      // An AuthActor is named by the code, request id, reference or device code; a user code maps to
      // its device code's shard.
      auth: {
        ...actorPort(authActor, [
          'saveCode',
          'redeemCode',
          'savePending',
          'takePending',
          'savePushed',
          'peekPushed',
          'holdPushed',
          'takePushed',
          'saveDevice',
          'pollDevice',
        ]),
        ...actorPort(
          (userCode: string) => authActor(userCodeShard(userCode, config.tokenActorShards)),
          ['lookupUserCode', 'decideUserCode', 'expireUserCode'],
        ),
      },
      passkeyChallenges: actorPort(authActor, ['saveChallenge', 'takeChallenge']),
      replay: replayPort(timedActorPort(replayGuard, ['claim'], now).claim),
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
    clock,
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

/** This isolate's copy of the scopes and APIs defined through the admin API (src/oauth/scopes/stored-registry.ts). */
export function storedRegistry(env: Env, config: Config): StoredRegistryCache {
  return isolateServices(env, config).registry;
}

/** The single-use WebAuthn challenges (src/sign-in/passkeys/challenges.ts), kept by the AuthActors. */
export function passkeyChallenges(env: Env, config: Config): PasskeyChallengePort {
  return isolateServices(env, config).passkeyChallenges;
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
