/**
 * Recent events for the admin Events page, in the shape the event bus of issue #6 will produce. Today the
 * only source is the audit log (every admin mutation, and client registrations through RFC 7591/7592);
 * sign-in and token events join when the Queues event bus lands, without changing this shape.
 */
import { z } from 'zod';
import type { AuditEntry } from '../storage/ports';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query } from './paging';

export const EventViewSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({ description: 'snake_case or dotted event type', example: 'client.create' }),
    severity: z.enum(['info', 'warning', 'error']),
    source: z
      .enum(['audit_log', 'event_bus'])
      .meta({ description: 'Where the event was recorded (event_bus: issue #6)' }),
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

/** An audit entry as an event. */
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

/** Recent events, newest first. */
export function listEvents(ctx: AdminContext, query: Query): Promise<PageView<EventView>> {
  const page = parsePageQuery(query);
  return pageOf(() => ctx.storage.auditLog.list(page), auditEvent);
}
