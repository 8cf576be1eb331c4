/** `admin_action` events: what an admin mutation publishes, built from its audit entry. */
import type { AuditEntry } from '../storage/ports';
import type { DomainEvent } from './types';

/**
 * The `admin_action` event of an audit entry (publish it after appending the entry). The idempotency key
 * is derived from the entry id, so publishing twice records one event.
 */
export function adminActionEvent(entry: AuditEntry): DomainEvent {
  return {
    type: 'admin_action',
    severity: entry.action.endsWith('.delete') || entry.action.startsWith('denylist.') ? 'warning' : 'info',
    userId: entry.actorType === 'user' ? entry.actorId : entry.targetKind === 'user' ? entry.targetId : null,
    clientId:
      entry.actorType === 'client' ? entry.actorId : entry.targetKind === 'client' ? entry.targetId : null,
    metadata: {
      ...entry.metadata,
      action: entry.action,
      actor_id: entry.actorId,
      actor_type: entry.actorType,
      target_kind: entry.targetKind,
      target_id: entry.targetId,
      audit_id: entry.id,
      ip: entry.ip,
      user_agent: entry.userAgent,
    },
    idempotencyKey: `audit:${entry.id}`,
  };
}
