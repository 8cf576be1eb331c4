/**
 * The Worker side of OIDC back-channel logout delivery: the queue plugin with this isolate's key cache
 * (the KeyRing, refreshed like the request path's) and its per-host outbound circuit breakers.
 */
import { systemClock } from '../../src/clock';
import type { Config } from '../../src/config';
import { KeyCache } from '../../src/crypto/key-cache';
import type { EventPlugin } from '../../src/events/plugins/types';
import { isolateMetrics } from '../../src/observability/metrics';
import { backchannelLogoutPlugin } from '../../src/oidc/backchannel-logout';
import type { Storage } from '../../src/storage/ports';
import { outboundBreakers } from '../wiring/resilience';

const perIsolate = new WeakMap<Env, KeyCache>();

function isolateKeys(env: Env, config: Config): KeyCache {
  let keys = perIsolate.get(env);
  if (!keys) {
    const keyRing = () => env.KEY_RING.get(env.KEY_RING.idFromName('key-ring'));
    keys = new KeyCache(() => keyRing().getKeys(), config.keyEncryptionKey);
    perIsolate.set(env, keys);
  }
  return keys;
}

/** The back-channel logout plugin of the `oauth2-events` consumer. */
export function backchannelPlugin(env: Env, config: Config, storage: Storage): EventPlugin {
  const keys = isolateKeys(env, config);
  return backchannelLogoutPlugin({
    config: config.backchannelLogout,
    policy: config.outbound,
    client: (clientId) => storage.clients.get(clientId),
    keys: () => keys.get(),
    breaker: outboundBreakers(env, config, 'backchannel_logout'),
    metrics: isolateMetrics,
    nowMs: systemClock.nowMs,
    logError: (line) => console.error(line),
  });
}
