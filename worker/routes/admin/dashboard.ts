/** GET /admin/api/dashboard (counts, issuance per day, latest events) and GET /admin/api/me (who is acting). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { DashboardSchema, dashboard } from '../../../src/admin/dashboard';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { CSRF_HEADER, csrfToken } from '../../middleware/csrf';
import { answer, jsonResponse } from '../schemas';
import { ADMIN_API, adminRoute, allowOnly, noStore, readErrors } from './common';

const MeSchema = z
  .object({
    actor_id: z.string().meta({ description: 'A user id, or the client_id of a client token' }),
    actor_type: z.enum(['user', 'client']),
    via: z.enum(['bearer', 'session']),
    username: z.string().nullable(),
    client_id: z.string().nullable().meta({ description: 'The client of the presented access token' }),
    csrf_token: z
      .string()
      .optional()
      .meta({ description: `Session only: send it in ${CSRF_HEADER} with every POST, PUT and DELETE` }),
  })
  .meta({ id: 'AdminMe' });

const dashboardRoute = adminRoute('read', {
  method: 'get',
  path: `${ADMIN_API}/dashboard`,
  summary: 'Dashboard',
  description:
    'Counts of clients, users, active grants, signing keys and denylist entries; grants per day; latest events.',
  responses: { 200: jsonResponse('The dashboard', DashboardSchema), ...readErrors },
});

const meRoute = adminRoute('read', {
  method: 'get',
  path: `${ADMIN_API}/me`,
  summary: 'The acting administrator',
  description: `With a session, also the CSRF token that session-authenticated changes send in ${CSRF_HEADER}.`,
  responses: { 200: jsonResponse('Who is acting', MeSchema), ...readErrors },
});

export function registerAdminDashboardRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(dashboardRoute, async (c) => answer(c.json(await dashboard(adminContext(c)), 200, noStore)));
  allowOnly(app, dashboardRoute.path, ['GET']);
  app.openapi(meRoute, async (c) => {
    const actor = c.get('admin');
    const me: z.output<typeof MeSchema> = {
      actor_id: actor.actorId,
      actor_type: actor.actorType,
      via: actor.via,
      username: actor.username,
      client_id: actor.clientId,
    };
    if (actor.via === 'session') me.csrf_token = await csrfToken(c);
    return answer(c.json(me, 200, noStore));
  });
  allowOnly(app, meRoute.path, ['GET']);
}
