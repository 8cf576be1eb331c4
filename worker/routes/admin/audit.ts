/** /admin/api/audit (the audit log of admin mutations) and /admin/api/events (recent events). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { AuditPageSchema, listAudit } from '../../../src/admin/audit';
import { EventPageSchema, EventQuerySchema, listEvents } from '../../../src/admin/events';
import { PageQuerySchema } from '../../../src/admin/paging';
import { adminContext } from '../../admin-context';
import type { AppEnv } from '../../context';
import { answer } from '../schemas';
import {
  ADMIN_API,
  adminQuery,
  adminRoute,
  allowOnly,
  jsonResponse,
  noStore,
  querySchema,
  readErrors,
} from './common';

const auditRoute = adminRoute('read', {
  method: 'get',
  path: `${ADMIN_API}/audit`,
  summary: 'The audit log',
  description:
    'Every admin mutation and client registration: actor, action, target, ip, user agent, time. Newest first.',
  request: { query: querySchema(PageQuerySchema) },
  responses: { 200: jsonResponse('A page of audit entries', AuditPageSchema), ...readErrors },
});

const eventsRoute = adminRoute('read', {
  method: 'get',
  path: `${ADMIN_API}/events`,
  summary: 'Recent events',
  description:
    'The recent-events store the event bus fills (sign-ins, tokens, registrations, revocations, admin_action ' +
    'for every admin mutation, event_dead_lettered for events whose delivery failed for good). Newest first; ' +
    'events arrive asynchronously through the queue, usually within seconds. The audit log is /admin/api/audit.',
  request: { query: querySchema(EventQuerySchema) },
  responses: { 200: jsonResponse('A page of events', EventPageSchema), ...readErrors },
});

export function registerAdminAuditRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(auditRoute, async (c) =>
    answer(c.json(await listAudit(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  allowOnly(app, auditRoute.path, ['GET']);
  app.openapi(eventsRoute, async (c) =>
    answer(c.json(await listEvents(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  allowOnly(app, eventsRoute.path, ['GET']);
}
