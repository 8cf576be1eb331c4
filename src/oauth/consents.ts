/** Remembered consent: a user approves a client's scopes once; later requests within them skip the screen. */
import type { ConsentStore } from '../storage/ports';
import type { ConsentPort } from './ports';

export function consentPort(store: ConsentStore, now: () => number): ConsentPort {
  return {
    async covers(userId, clientId, scopes) {
      const consent = await store.get(userId, clientId);
      if (!consent) return false;
      const granted = new Set(consent.scope.split(' '));
      return scopes.every((scope) => granted.has(scope));
    },
    async grant(userId, clientId, scopes) {
      const existing = await store.get(userId, clientId);
      const merged = new Set([...(existing?.scope.split(' ').filter(Boolean) ?? []), ...scopes]);
      const at = now();
      await store.put({
        userId,
        clientId,
        scope: [...merged].join(' '),
        createdAt: existing?.createdAt ?? at,
        updatedAt: at,
      });
    },
  };
}
