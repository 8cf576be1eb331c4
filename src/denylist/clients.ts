/** A ClientRegistry through which a denylisted client_id reads as disabled: no tokens, no introspection, no sign-in. */
import type { ClientRegistry } from '../oauth/ports';
import type { ClientRecord } from '../storage/ports';
import type { DenylistCache } from './cache';

/**
 * Wraps `registry` so that `get` answers a denylisted client as `enabled: false`. Every endpoint already
 * refuses a disabled client (invalid_client at the token endpoint, inactive tokens, the authorization
 * error page), so the denylist is enforced before authentication without a storage read per request.
 * Writes pass through unchanged.
 */
export function withClientDenylist(
  registry: ClientRegistry,
  denylist: DenylistCache,
  now: () => number,
): ClientRegistry {
  return {
    async get(clientId: string): Promise<ClientRecord | null> {
      const [client, snapshot] = await Promise.all([registry.get(clientId), denylist.get()]);
      if (client === null || snapshot.match('client', clientId, now()) === null) return client;
      return { ...client, enabled: false };
    },
    create: (client, audit) => registry.create(client, audit),
    replace: (client, audit) => registry.replace(client, audit),
    remove: (clientId, audit) => registry.remove(clientId, audit),
  };
}
