/**
 * Building and validating event envelopes. Metadata is sanitised on the way in: keys that name a secret
 * are dropped, long strings are cut, nesting and size are bounded, so an event can never carry a token,
 * code, secret, password or cookie even by mistake.
 */
import { z } from 'zod';
import { isTraceparent } from '../observability/traceparent';
import { type DomainEvent, EVENT_TYPES, type EventEnvelope, type JsonValue, SEVERITIES } from './types';

/** Metadata keys never kept, compared lower-cased (a value under these names would be a credential). */
const SECRET_KEYS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'code',
  'code_verifier',
  'client_secret',
  'secret',
  'password',
  'cookie',
  'authorization',
  'registration_access_token',
  'assertion',
  'client_assertion',
  'session',
  'csrf_token',
]);

const MAX_STRING = 512;
const MAX_KEYS = 32;
const MAX_ARRAY = 32;
const MAX_DEPTH = 3;
/** A serialised envelope stays far below the 128 KB queue message limit. */
export const MAX_METADATA_BYTES = 8 * 1024;

function sanitizeValue(value: unknown, depth: number): JsonValue | undefined {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    return value
      .slice(0, MAX_ARRAY)
      .map((item) => sanitizeValue(item, depth + 1))
      .filter((item): item is JsonValue => item !== undefined);
  }
  if (typeof value === 'object') return sanitizeMetadata(value as Record<string, unknown>, depth + 1);
  return undefined;
}

/** A JSON-safe copy of `metadata` without secret-named keys, bounded in size. */
export function sanitizeMetadata(metadata: Record<string, unknown>, depth = 0): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (kept >= MAX_KEYS) break;
    if (SECRET_KEYS.has(key.toLowerCase())) continue;
    const clean = sanitizeValue(value, depth);
    if (clean === undefined) continue;
    out[key] = clean;
    kept += 1;
  }
  return out;
}

const HEX = '0123456789abcdef';

/** A UUIDv7: 48-bit Unix milliseconds then random bits, so ids sort by creation time. */
export function uuidv7(nowMs: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = Math.max(0, Math.floor(nowMs));
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  let out = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    const byte = bytes[i] ?? 0;
    out += HEX[byte >> 4] + (HEX[byte & 15] ?? '');
  }
  return out;
}

/** The envelope of an event published now by this server. */
export function buildEnvelope(event: DomainEvent, nowMs: number, traceparent: string | null): EventEnvelope {
  const id = uuidv7(nowMs);
  return {
    id,
    type: event.type,
    time: new Date(nowMs).toISOString(),
    severity: event.severity ?? 'info',
    user_id: event.userId ?? null,
    client_id: event.clientId ?? null,
    metadata: event.metadata ? sanitizeMetadata(event.metadata) : {},
    idempotency_key: event.idempotencyKey ?? id,
    traceparent,
  };
}

const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
const Subject = z.string().min(1).max(255).nullable().optional();

/**
 * An envelope as accepted from outside (`POST /events/ingest`) and from the queue. `id`, `time`,
 * `severity` and `idempotency_key` may be left out on ingest (generated / `info` / the id).
 */
export const EnvelopeInputSchema = z.object({
  id: Id.optional(),
  type: z.enum(EVENT_TYPES),
  time: z.iso.datetime({ offset: true }).optional(),
  severity: z.enum(SEVERITIES).optional(),
  user_id: Subject,
  client_id: Subject,
  metadata: z
    .record(z.string().max(128), z.unknown())
    .optional()
    .refine((value) => value === undefined || JSON.stringify(value).length <= MAX_METADATA_BYTES, {
      message: `must serialise to at most ${MAX_METADATA_BYTES} bytes`,
    }),
  idempotency_key: z.string().min(1).max(255).optional(),
  traceparent: z
    .string()
    .refine(isTraceparent, { message: 'must be a W3C traceparent' })
    .nullable()
    .optional(),
});

export type EnvelopeInput = z.output<typeof EnvelopeInputSchema>;

/** Completes a validated input into a full envelope (sanitised metadata, defaults filled in). */
export function completeEnvelope(
  input: EnvelopeInput,
  nowMs: number,
  traceparent: string | null,
): EventEnvelope {
  const id = input.id ?? uuidv7(nowMs);
  return {
    id,
    type: input.type,
    time: input.time === undefined ? new Date(nowMs).toISOString() : new Date(input.time).toISOString(),
    severity: input.severity ?? 'info',
    user_id: input.user_id ?? null,
    client_id: input.client_id ?? null,
    metadata: input.metadata ? sanitizeMetadata(input.metadata) : {},
    idempotency_key: input.idempotency_key ?? id,
    traceparent: input.traceparent ?? traceparent,
  };
}

/** A queue message body as an envelope, or null when it is not one (such messages are dropped). */
export function parseEnvelope(body: unknown, nowMs: number): EventEnvelope | null {
  const parsed = EnvelopeInputSchema.safeParse(body);
  if (!parsed.success || parsed.data.id === undefined) return null;
  return completeEnvelope(parsed.data, nowMs, null);
}
