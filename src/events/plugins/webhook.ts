/**
 * The webhook plugin: POSTs each envelope as JSON to every configured URL, signed with HMAC-SHA256
 * (`X-OAuth2-Signature: t=<ts>,v1=<hex>` over `<ts>.<body>`), with a timeout and the trace context.
 * Any URL failing (non-2xx, redirect, network error, timeout) fails the delivery, so the queue retries
 * the message with backoff: receivers must deduplicate by `X-OAuth2-Event-Id` (at-least-once).
 */
import type { MetricsRegistry } from '../../observability/metrics';
import { childTraceparent } from '../../observability/traceparent';
import { SIGNATURE_HEADER, signatureHeader } from '../signature';
import type { EventEnvelope } from '../types';
import type { EventPlugin } from './types';

export const USER_AGENT = 'edge-oauth2-server-webhooks/1';

export interface WebhookOptions {
  urls: string[];
  secret: string;
  timeoutMs: number;
  fetch: typeof fetch;
  metrics: MetricsRegistry;
  nowMs: () => number;
}

/** Some webhook URLs did not accept the event. The message names hosts only (URLs may hold tokens). */
export class WebhookDeliveryError extends Error {
  constructor(readonly failures: string[]) {
    super(`webhook delivery failed: ${failures.join('; ')}`);
    this.name = 'WebhookDeliveryError';
  }
}

function hostOf(url: string): string {
  return URL.parse(url)?.host ?? 'invalid-url';
}

export function webhookPlugin(options: WebhookOptions): EventPlugin {
  const { metrics } = options;

  async function post(url: string, body: string, headers: Record<string, string>): Promise<string | null> {
    const started = options.nowMs();
    let status = 0;
    try {
      const res = await options.fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel();
      return status >= 200 && status < 300 ? null : `${hostOf(url)} answered ${status}`;
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return `${hostOf(url)} ${timedOut ? `timed out after ${options.timeoutMs} ms` : 'unreachable'}`;
    } finally {
      metrics.inc('http_client_requests_total', { target: 'webhook', status });
      metrics.observe(
        'http_client_request_duration_seconds',
        { target: 'webhook' },
        (options.nowMs() - started) / 1000,
      );
    }
  }

  return {
    name: 'webhook',
    async deliver(envelope: EventEnvelope): Promise<void> {
      const body = JSON.stringify(envelope);
      const timestamp = Math.floor(options.nowMs() / 1000);
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
        'X-OAuth2-Event-Id': envelope.id,
        'X-OAuth2-Event-Type': envelope.type,
        [SIGNATURE_HEADER]: await signatureHeader(options.secret, timestamp, body),
        traceparent: childTraceparent(envelope.traceparent),
      };
      const results = await Promise.all(options.urls.map((url) => post(url, body, headers)));
      const failures = results.filter((result): result is string => result !== null);
      if (failures.length > 0) throw new WebhookDeliveryError(failures);
    },
  };
}
