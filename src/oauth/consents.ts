/**
 * Remembered consent: a user approves a client's scopes once; later requests within them skip the screen.
 * `admin` is never remembered: administration is asked for on every authorization.
 */
import type { ConsentStore } from '../storage/ports';
import type { ConsentPort } from './ports';
import { ADMIN_SCOPE, hasAdminScope } from './scopes/admin-scope';

export function consentPort(store: ConsentStore, now: () => number): ConsentPort {
  return {
    async covers(userId, clientId, scopes) {
      const consent = await store.get(userId, clientId);
      if (!consent) return false;
      const granted = new Set(consent.scope.split(' '));
      return !hasAdminScope(scopes) && scopes.every((scope) => granted.has(scope));
    },
    async grant(userId, clientId, scopes) {
      const existing = await store.get(userId, clientId);
      const remembered = scopes.filter((scope) => scope !== ADMIN_SCOPE);
      const merged = new Set([...(existing?.scope.split(' ').filter(Boolean) ?? []), ...remembered]);
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
