/** Audit entries for registration changes (`client.register`, `client.update`, `client.delete`). */
import { randomId } from '../../crypto/random';
import type { AuditEntry } from '../../storage/ports';
import type { OAuthContext } from '../ports';

/** Where a request came from, as the Worker shell saw it. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** The actor of an anonymous registration (OAUTH2_DYNAMIC_REGISTRATION_ENABLED=true, no token). */
export const ANONYMOUS = 'anonymous';

export type ClientChange = 'client.register' | 'client.update' | 'client.delete';

/** The audit entry of a change, to be written with it (ClientRegistry create/replace/remove `audit`). */
export function clientAuditEntry(
  ctx: OAuthContext,
  action: ClientChange,
  actorId: string,
  clientId: string,
  origin: RequestOrigin,
  metadata: Record<string, unknown> = {},
): AuditEntry {
  return {
    id: randomId(),
    actorId,
    actorType: 'client',
    action,
    targetKind: 'client',
    targetId: clientId,
    ip: origin.ip,
    userAgent: origin.userAgent,
    metadata,
    createdAt: ctx.clock.nowSecs(),
  };
}
