/**
 * The webhook plugin: POSTs each envelope as JSON to every configured URL, signed with HMAC-SHA256
 * (`X-OAuth2-Signature: t=<ts>,v1=<hex>` over `<ts>.<body>`), with the trace context, through
 * src/outbound (the URL policy, a deadline, no redirects; no circuit breaker: an open one would use up
 * a message's retries without calling the receiver and dead-letter it).
 * Any URL failing (non-2xx, redirect, network error, timeout, refused URL) fails the delivery, so the
 * queue retries the message with backoff: receivers must deduplicate by `X-OAuth2-Event-Id` (at-least-once).
 */
import type { MetricsRegistry } from '../../observability/metrics';
import { childTraceparent } from '../../observability/traceparent';
import { OutboundError, outboundFetch } from '../../outbound/fetch';
import type { OutboundPolicy } from '../../outbound/policy';
import { SIGNATURE_HEADER, signatureHeader } from '../signature';
import type { EventEnvelope } from '../types';
import type { EventPlugin } from './types';

export const USER_AGENT = 'edge-oauth2-server-webhooks/1';

export interface WebhookOptions {
  urls: string[];
  secret: string;
  timeoutMs: number;
  /** What the running server may reach (config.outbound). */
  policy: OutboundPolicy;
  fetch?: typeof fetch;
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
    try {
      const { status } = await outboundFetch(
        url,
        { method: 'POST', headers, body },
        {
          target: 'webhook',
          policy: options.policy,
          timeoutMs: options.timeoutMs,
          maxBytes: 0,
          metrics,
          nowMs: options.nowMs,
          fetch: options.fetch,
        },
      );
      return status >= 200 && status < 300 ? null : `${hostOf(url)} answered ${status}`;
    } catch (error) {
      if (error instanceof OutboundError) return error.message;
      throw error;
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
