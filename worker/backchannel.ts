/**
 * The Worker side of OIDC back-channel logout delivery: the queue plugin with this isolate's key cache
 * (the KeyRing, refreshed like the request path's) and per-host circuit breakers.
 */
import type { Config } from '../src/config';
import { KeyCache } from '../src/crypto/key-cache';
import type { EventPlugin } from '../src/events/plugins/types';
import { isolateMetrics } from '../src/observability/metrics';
import { backchannelLogoutPlugin, hostBreakers } from '../src/oidc/backchannel-logout';
import type { Storage } from '../src/storage/ports';

interface IsolateDelivery {
  keys: KeyCache;
  breaker: (host: string) => ReturnType<ReturnType<typeof hostBreakers>>;
}

const perIsolate = new WeakMap<Env, IsolateDelivery>();

function isolateDelivery(env: Env, config: Config): IsolateDelivery {
  let delivery = perIsolate.get(env);
  if (!delivery) {
    const keyRing = () => env.KEY_RING.get(env.KEY_RING.idFromName('key-ring'));
    delivery = {
      keys: new KeyCache(() => keyRing().getKeys(), config.keyEncryptionKey),
      breaker: hostBreakers(Date.now),
    };
    perIsolate.set(env, delivery);
  }
  return delivery;
}

/** The back-channel logout plugin of the `oauth2-events` consumer. */
export function backchannelPlugin(env: Env, config: Config, storage: Storage): EventPlugin {
  const delivery = isolateDelivery(env, config);
  return backchannelLogoutPlugin({
    config: config.backchannelLogout,
    client: (clientId) => storage.clients.get(clientId),
    keys: () => delivery.keys.get(),
    fetch: (input, init) => fetch(input, init),
    breaker: delivery.breaker,
    metrics: isolateMetrics,
    nowMs: Date.now,
    logError: (line) => console.error(line),
  });
}
