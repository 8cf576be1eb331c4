/**
 * POST /events/ingest (external producers put envelopes on the event bus; Bearer
 * OAUTH2_EVENTS_INGEST_BEARER_TOKEN unless OAUTH2_EVENTS_PUBLIC_INGEST=true) and GET /events/health
 * (the plugins' state, from the metrics aggregate and a storage check).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { eventAllowed } from '../../src/events/config';
import { completeEnvelope, EnvelopeInputSchema } from '../../src/events/envelope';
import { EVENT_TYPES, type EventEnvelope, SEVERITIES } from '../../src/events/types';
import { InvalidRequestError, ServiceUnavailableError } from '../../src/oauth/errors';
import { requireConfiguredBearer } from '../../src/oauth/tokens/bearer';
import { METRIC_PREFIX } from '../../src/observability/catalogue';
import { isolateMetrics, type MetricsSnapshot, metricKey } from '../../src/observability/metrics';
import type { AppEnv } from '../context';
import { readJsonObject } from '../middleware/body';
import { requestStorage } from '../wiring/request-storage';
import { readMetrics } from '../wiring/telemetry';
import {
  answer,
  handParsedBody,
  jsonError,
  jsonResponse,
  optionalField,
  optionalText,
  registerBodySchema,
} from './schemas';

/** At most this many envelopes per ingest request (one queue batch). */
const MAX_INGEST = 100;

const EnvelopeSchema = z
  .object({
    id: optionalText('Default: a generated UUIDv7'),
    type: z.enum(EVENT_TYPES),
    time: optionalText('RFC 3339; default: now'),
    severity: optionalField(z.enum(SEVERITIES), 'Default info'),
    user_id: z.string().nullable().optional(),
    client_id: z.string().nullable().optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'At most 8 KiB; keys naming secrets (token, password, ...) are dropped' }),
    idempotency_key: optionalText('Default: the id. Same key = same event'),
    traceparent: z.string().nullable().optional().openapi({ description: 'W3C traceparent' }),
  })
  .openapi('EventEnvelope');

/** The documented body of POST /events/ingest: one envelope, or a batch. */
export const IngestBodySchema = z.union([
  EnvelopeSchema,
  z.object({ events: z.array(EnvelopeSchema).max(MAX_INGEST) }),
]);

const IngestBatchSchema = z.object({ events: z.array(EnvelopeInputSchema).min(1).max(MAX_INGEST) });

export const ingestRoute = createRoute({
  method: 'post',
  path: '/events/ingest',
  tags: ['Events'],
  summary: 'Put events on the event bus',
  description:
    'One envelope, or {"events": [...]} with up to 100. Bearer OAUTH2_EVENTS_INGEST_BEARER_TOKEN unless OAUTH2_EVENTS_PUBLIC_INGEST=true. Events are filtered like the server\'s own, marked metadata.source = "ingest", and recorded once per id / idempotency_key.',
  security: [{ bearer: [] }, {}],
  request: {
    // Read after the ingest token is checked, and parsed by hand (its errors name the envelope field).
    body: handParsedBody('EventIngest', 'application/json'),
  },
  responses: {
    202: {
      description: 'Queued',
      content: {
        'application/json': {
          schema: z
            .object({
              accepted: z.number().int().openapi({ description: 'Queued for the plugins' }),
              filtered: z.number().int().openapi({ description: 'Dropped by the event filter' }),
              ids: z.array(z.string()).openapi({ description: 'Ids of the accepted envelopes' }),
            })
            .openapi('IngestResult'),
        },
      },
    },
    400: jsonError('Not a valid envelope (invalid_request names the field)'),
    401: jsonError('Missing or wrong Bearer token (invalid_token)'),
    503: jsonError('The queue is unavailable'),
  },
});

const PluginSchema = z
  .object({
    name: z.enum(['storage', 'webhook', 'console']),
    enabled: z.boolean(),
    status: z
      .enum(['ok', 'idle', 'failing', 'error', 'disabled'])
      .openapi({ description: 'failing: the last delivery failed; error: the storage check failed' }),
    delivered: z.number().openapi({ description: 'Successful deliveries (all isolates)' }),
    failed: z.number().openapi({ description: 'Failed deliveries, retried or dead-lettered' }),
    last_success: z.number().int().nullable().openapi({ description: 'Unix time' }),
    last_failure: z.number().int().nullable().openapi({ description: 'Unix time' }),
    targets: z.number().int().optional().openapi({ description: 'webhook: how many URLs' }),
  })
  .openapi('EventPluginHealth');

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    enabled: z.boolean(),
    filter: z.object({ mode: z.enum(['allow_all', 'include', 'exclude']), types: z.array(z.string()) }),
    published: z.number(),
    publish_errors: z.number(),
    dead_lettered: z.number(),
    plugins: z.array(PluginSchema),
  })
  .openapi('EventsHealth');

export const eventsHealthRoute = createRoute({
  method: 'get',
  path: '/events/health',
  tags: ['Events'],
  summary: 'Event plugin health',
  description:
    'Per plugin: enabled, last success and failure, delivery counts (aggregated across isolates, as /metrics). 503 when a plugin is failing or storage is unreachable.',
  responses: {
    200: jsonResponse('Every plugin healthy', HealthSchema),
    503: jsonResponse('Degraded', HealthSchema),
  },
});

async function checkIngestToken(c: Context<AppEnv>): Promise<void> {
  const { events } = c.get('config');
  if (events.publicIngest) return;
  await requireConfiguredBearer(c.req.header('authorization'), events.ingestBearerToken, 'ingest token');
}

/** invalid_request naming the first offending field, e.g. `events.2.type: Invalid option`. */
function fieldOf(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || 'body';
  return `${path}: ${issue?.message ?? 'invalid'}`;
}

/** One envelope, or `{events: [...]}`. */
function parseIngestBody(body: Record<string, unknown>): z.output<typeof EnvelopeInputSchema>[] {
  if ('events' in body) {
    const batch = IngestBatchSchema.safeParse(body);
    if (!batch.success) throw new InvalidRequestError(fieldOf(batch.error));
    return batch.data.events;
  }
  const single = EnvelopeInputSchema.safeParse(body);
  if (!single.success) throw new InvalidRequestError(fieldOf(single.error));
  return [single.data];
}

async function ingest(c: Context<AppEnv>): Promise<Response> {
  await checkIngestToken(c);
  const inputs = parseIngestBody(await readJsonObject(c.req.raw));
  const config = c.get('config');
  const now = Date.now();
  const traceparent = c.get('obs')?.trace.traceparent ?? null;
  const accepted: EventEnvelope[] = [];
  for (const input of inputs) {
    if (!eventAllowed(config.events, input.type)) continue;
    const envelope = completeEnvelope(input, now, traceparent);
    envelope.metadata.source = 'ingest';
    accepted.push(envelope);
  }
  if (accepted.length > 0) {
    try {
      await c.env.EVENTS.sendBatch(accepted.map((body) => ({ body, contentType: 'json' as const })));
    } catch {
      isolateMetrics.inc('events_publish_errors_total', undefined, accepted.length);
      throw new ServiceUnavailableError('the event queue is unavailable, retry later');
    }
    for (const envelope of accepted) isolateMetrics.inc('events_published_total', { type: envelope.type });
  }
  const body = {
    accepted: accepted.length,
    filtered: inputs.length - accepted.length,
    ids: accepted.map((e) => e.id),
  };
  return c.json(body, 202, { 'Cache-Control': 'no-store' });
}

type PluginHealth = z.output<typeof PluginSchema>;

function pluginHealth(snapshot: MetricsSnapshot, name: PluginHealth['name'], enabled: boolean): PluginHealth {
  const counter = (outcome: string) =>
    snapshot.counters[metricKey('events_consumed_total', { plugin: name, outcome })] ?? 0;
  const lastSuccess =
    snapshot.gauges[metricKey('events_plugin_last_success_timestamp_seconds', { plugin: name })] ?? null;
  const lastFailure =
    snapshot.gauges[metricKey('events_plugin_last_failure_timestamp_seconds', { plugin: name })] ?? null;
  const status = !enabled
    ? 'disabled'
    : lastFailure !== null && (lastSuccess === null || lastFailure > lastSuccess)
      ? 'failing'
      : lastSuccess === null
        ? 'idle'
        : 'ok';
  return {
    name,
    enabled,
    status,
    delivered: counter('ok') + counter('duplicate'),
    failed: counter('retry') + counter('failed'),
    last_success: lastSuccess,
    last_failure: lastFailure,
  };
}

async function health(c: Context<AppEnv>): Promise<Response> {
  const { events } = c.get('config');
  const [snapshot, storageUp] = await Promise.all([
    readMetrics(c.env).catch(() => ({ counters: {}, gauges: {}, isolates: 0 }) as MetricsSnapshot),
    requestStorage(c)
      .healthcheck()
      .then(
        () => true,
        () => false,
      ),
  ]);
  const storage = pluginHealth(snapshot, 'storage', true);
  if (!storageUp) storage.status = 'error';
  const webhooksOn = events.webhookUrls.length > 0 && events.webhookSecret !== undefined;
  const webhook = { ...pluginHealth(snapshot, 'webhook', webhooksOn), targets: events.webhookUrls.length };
  const plugins = [storage, webhook, pluginHealth(snapshot, 'console', events.console)];
  const degraded = plugins.some((plugin) => plugin.status === 'failing' || plugin.status === 'error');
  const published = Object.entries(snapshot.counters)
    .filter(([key]) => key.startsWith(`${METRIC_PREFIX}events_published_total{`))
    .reduce((total, [, value]) => total + value, 0);
  const body = {
    status: degraded ? ('degraded' as const) : ('ok' as const),
    enabled: events.enabled,
    filter: { mode: events.mode, types: events.types },
    published,
    publish_errors: snapshot.counters[metricKey('events_publish_errors_total')] ?? 0,
    dead_lettered: snapshot.counters[metricKey('events_dead_lettered_total')] ?? 0,
    plugins,
  };
  return c.json(body, degraded ? 503 : 200, { 'Cache-Control': 'no-store' });
}

export function registerEventRoutes(app: OpenAPIHono<AppEnv>): void {
  registerBodySchema(app, 'EventIngest', IngestBodySchema);
  app.openapi(ingestRoute, async (c) => answer(await ingest(c)));
  app.openapi(eventsHealthRoute, async (c) => answer(await health(c)));
}
