/** GET /admin (the dashboard), GET /admin/events and GET /admin/audit (paged tables). */
import type { Hono } from 'hono';
import { dashboard, listAudit, listEvents } from '../../../src/admin';
import { DashboardPage } from '../../../templates/admin/dashboard';
import { AuditPage, EventsPage } from '../../../templates/admin/logs';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { listQuery, pageChrome, render } from './common';

export function registerDashboardPages(app: Hono<AppEnv>): void {
  app.get('/admin', async (c) => {
    const { chrome } = await pageChrome(c, 'dashboard');
    return render(c, DashboardPage({ chrome, dashboard: await dashboard(adminContext(c)) }));
  });

  app.get('/admin/events', async (c) => {
    const query = listQuery(c);
    const page = await listEvents(adminContext(c), query);
    const { chrome } = await pageChrome(c, 'events');
    return render(
      c,
      EventsPage({
        chrome,
        items: page.items,
        cursor: query.cursor,
        nextCursor: page.next_cursor,
        type: query.type?.trim() ?? '',
      }),
    );
  });

  app.get('/admin/audit', async (c) => {
    const query = listQuery(c);
    const page = await listAudit(adminContext(c), query);
    const { chrome } = await pageChrome(c, 'audit');
    return render(
      c,
      AuditPage({ chrome, items: page.items, cursor: query.cursor, nextCursor: page.next_cursor }),
    );
  });
}
