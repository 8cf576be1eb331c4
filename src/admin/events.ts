/**
 * Recent events for the admin Events page and API: the recent-events store that the `oauth2-events` queue
 * consumer fills (src/events): sign-ins, tokens, registrations, revocations, `admin_action` for every
 * admin mutation, and `event_dead_lettered` for events whose delivery failed for good. Events reach the
 * store asynchronously (usually within seconds of the request). The audit log stays at /admin/api/audit.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../oauth/errors';
import type { AuditEntry, EventRecord } from '../storage/ports';
import type { AdminContext } from './context';
import {
  PageQuerySchema,
  type PageView,
  pageOf,
  pageSchema,
  parsePageQuery,
  type Query,
  searchParam,
} from './paging';

export const EventViewSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({
      description: 'The event type (snake_case, e.g. token_created, admin_action); dotted for audit entries',
      example: 'token_created',
    }),
    severity: z.enum(['info', 'warning', 'error']),
    source: z.enum(['audit_log', 'event_bus']).meta({
      description: 'Where the event was recorded: event_bus (the recent-events store) or audit_log',
    }),
    occurred_at: z.number().int().meta({ description: 'Unix time, seconds' }),
    actor: z.object({ id: z.string(), type: z.enum(['user', 'client', 'system']) }).nullable(),
    target: z.object({ kind: z.string(), id: z.string().nullable() }).nullable(),
    client_id: z.string().nullable(),
    user_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Event' });

export type EventView = z.output<typeof EventViewSchema>;

export const EventPageSchema = pageSchema(EventViewSchema, 'EventPage');

/** Filters of GET /admin/api/events, besides paging. */
export const EventQuerySchema = PageQuerySchema.extend({
  type: z.string().optional().meta({ description: 'Only events of this type', example: 'token_created' }),
  client_id: z.string().optional().meta({ description: 'Only events about this client' }),
  user_id: z.string().optional().meta({ description: 'Only events about this user' }),
});

/** An audit entry as an event (the audit log's own view is /admin/api/audit). */
export function auditEvent(entry: AuditEntry): EventView {
  const clientId =
    entry.targetKind === 'client'
      ? entry.targetId
      : entry.actorType === 'client'
        ? entry.actorId
        : typeof entry.metadata.client_id === 'string'
          ? entry.metadata.client_id
          : null;
  const userId =
    entry.targetKind === 'user' ? entry.targetId : entry.actorType === 'user' ? entry.actorId : null;
  return {
    id: entry.id,
    type: entry.action,
    severity: 'info',
    source: 'audit_log',
    occurred_at: entry.createdAt,
    actor: { id: entry.actorId, type: entry.actorType },
    target: { kind: entry.targetKind, id: entry.targetId },
    client_id: clientId,
    user_id: userId,
    ip: entry.ip,
    user_agent: entry.userAgent,
    metadata: entry.metadata,
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

const ACTOR_TYPES = new Set(['user', 'client', 'system']);

/**
 * A recorded event as the admin sees it. `admin_action` events carry their audit entry's actor, target
 * and ip in metadata (src/events/admin.ts); other events have no actor or target beyond client and user.
 */
export function eventView(event: EventRecord): EventView {
  const { metadata } = event;
  const actorId = text(metadata.actor_id);
  const actorType = text(metadata.actor_type);
  const targetKind = text(metadata.target_kind);
  const isAdminAction = event.type === 'admin_action';
  return {
    id: event.id,
    type: event.type,
    severity: event.severity,
    source: 'event_bus',
    occurred_at: event.time,
    actor:
      isAdminAction && actorId !== null && actorType !== null && ACTOR_TYPES.has(actorType)
        ? { id: actorId, type: actorType as 'user' | 'client' | 'system' }
        : null,
    target: isAdminAction && targetKind !== null ? { kind: targetKind, id: text(metadata.target_id) } : null,
    client_id: event.clientId,
    user_id: event.userId,
    ip: text(metadata.ip),
    user_agent: text(metadata.user_agent),
    metadata,
  };
}

/** Recent events, newest first; `type`, `client_id` and `user_id` narrow the listing. */
export function listEvents(ctx: AdminContext, query: Query): Promise<PageView<EventView>> {
  const page = parsePageQuery(query);
  const type = searchParam(query, 'type', 64);
  if (type !== undefined && !/^[a-z][a-z0-9_.]*$/.test(type)) {
    throw new InvalidRequestError('invalid type: must be an event type such as token_created');
  }
  const filter = {
    ...page,
    type,
    clientId: searchParam(query, 'client_id', 255),
    userId: searchParam(query, 'user_id', 255),
  };
  return pageOf(() => ctx.storage.events.list(filter), eventView);
}
