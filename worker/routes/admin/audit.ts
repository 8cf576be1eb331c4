/** /admin/api/audit (the audit log of admin mutations) and /admin/api/events (recent events). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { AuditPageSchema, listAudit } from '../../../src/admin/audit';
import { EventPageSchema, EventQuerySchema, listEvents } from '../../../src/admin/events';
import { PageQuerySchema } from '../../../src/admin/paging';
import type { AppEnv } from '../../context';
import { registerPath } from './collection';
import { ADMIN_API, querySchema } from './common';

export function registerAdminAuditRoutes(app: OpenAPIHono<AppEnv>): void {
  registerPath(app, {
    method: 'get',
    path: `${ADMIN_API}/audit`,
    summary: 'The audit log',
    description:
      'Every admin mutation and client registration: actor, action, target, ip, user agent, time. Newest first.',
    query: querySchema(PageQuerySchema),
    reply: ['A page of audit entries', AuditPageSchema],
    run: (ctx, { query }) => listAudit(ctx, query),
  });
  registerPath(app, {
    method: 'get',
    path: `${ADMIN_API}/events`,
    summary: 'Recent events',
    description:
      'The recent-events store the event bus fills (sign-ins, tokens, registrations, revocations, admin_action ' +
      'for every admin mutation, event_dead_lettered for events whose delivery failed for good). Newest first; ' +
      'events arrive asynchronously through the queue, usually within seconds. The audit log is /admin/api/audit.',
    query: querySchema(EventQuerySchema),
    reply: ['A page of events', EventPageSchema],
    run: (ctx, { query }) => listEvents(ctx, query),
  });
}
