/** /admin/api/audit (the audit log of admin mutations) and /admin/api/events (recent events). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { AuditPageSchema, listAudit } from '../../../src/admin/audit';
import { EventPageSchema, EventQuerySchema, listEvents } from '../../../src/admin/events';
import type { AppEnv } from '../../context';
import { registerListing } from './collection';
import { ADMIN_API } from './common';

export function registerAdminAuditRoutes(app: OpenAPIHono<AppEnv>): void {
  registerListing(app, `${ADMIN_API}/audit`, {
    summary: 'The audit log',
    description:
      'Every admin mutation and client registration: actor, action, target, ip, user agent, time. Newest first.',
    reply: ['A page of audit entries', AuditPageSchema],
    run: listAudit,
  });
  registerListing(app, `${ADMIN_API}/events`, {
    summary: 'Recent events',
    description:
      'The recent-events store the event bus fills (sign-ins, tokens, registrations, revocations, admin_action ' +
      'for every admin mutation, event_dead_lettered for events whose delivery failed for good). Newest first; ' +
      'events arrive asynchronously through the queue, usually within seconds. The audit log is /admin/api/audit.',
    filters: EventQuerySchema.shape,
    reply: ['A page of events', EventPageSchema],
    run: listEvents,
  });
}
