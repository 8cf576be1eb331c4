/** GET /admin/metrics: the figures of GET /metrics (same aggregate, same storage gauges), readable. */
import type { Hono } from 'hono';
import { systemClock } from '../../../src/clock';
import { metricGroups } from '../../../src/observability/view';
import { MetricsPage } from '../../../templates/admin/metrics';
import type { AppEnv } from '../../context';
import { requestStorage } from '../../wiring/request-storage';
import { collectMetrics } from '../../wiring/telemetry';
import { pageChrome, render } from './common';

export function registerMetricsPages(app: Hono<AppEnv>): void {
  app.get('/admin/metrics', async (c) => {
    const snapshot = await collectMetrics(c.env, requestStorage(c));
    const { chrome } = await pageChrome(c, 'metrics');
    c.header('Cache-Control', 'no-store');
    return render(
      c,
      MetricsPage({
        chrome,
        groups: metricGroups(snapshot),
        isolates: snapshot.isolates,
        generatedAt: systemClock.nowSecs(),
      }),
    );
  });
}
