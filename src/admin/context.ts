/**
 * What every admin operation runs with: the OAuth context (storage, client registry, token actors,
 * clock), the acting administrator and where the request came from (for the audit log), the key ring,
 * and the per-isolate denylist copy (invalidated after a change).
 */
import type { DenylistCache } from '../denylist';
import type { OAuthContext } from '../oauth/ports';
import type { RequestOrigin } from '../oauth/registration';
import type { AuditEntry, SigningKeyRecord } from '../storage/ports';

/** Who performs an admin action (set by the AdminGuard). */
export interface AdminActor {
  /** A user id (session, or a user's access token) or a client_id (a client's own token). */
  actorId: string;
  actorType: 'user' | 'client';
  /** How the request was authenticated. */
  via: 'bearer' | 'session';
  /** The username of a user actor, when known. */
  username: string | null;
  /** The client the presented access token was issued to (bearer only). */
  clientId: string | null;
}

/** The KeyRing actor, plus whatever the runtime must do after a rotation (drop its key cache). */
export interface KeyRingPort {
  /**
   * Replaces the active key of every use; answers the published keys. `audit` is written in the same
   * all-or-nothing change, its metadata gaining `active_kids` (the new keys' kids, sorted).
   */
  rotate(audit?: AuditEntry): Promise<SigningKeyRecord[]>;
}

export interface AdminContext extends OAuthContext {
  actor: AdminActor;
  origin: RequestOrigin;
  keyRing: KeyRingPort;
  denylist: DenylistCache;
  /** The per-isolate copy of stored scopes and APIs: reloaded after a change so it applies here at once. */
  scopeRegistry: { reload(): Promise<void> };
  /** Called with every audit entry once it is stored (e.g. to publish it on the event bus). */
  afterAudit?: ((entry: AuditEntry) => Promise<void> | void) | undefined;
}

/** Who may administer is decided with the admin scope (src/oauth/scopes/admin-scope.ts). */
export { type AdminCandidate, isAdministrator } from '../oauth/scopes/admin-scope';
