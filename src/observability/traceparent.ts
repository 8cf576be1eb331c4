/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) `traceparent`: parsed and validated on the
 * way in (§3.2), a new span id per request, and a child span id for every outbound call.
 */

/** One request's span: the trace it belongs to and its own span id. */
export interface TraceContext {
  /** 32 lower-case hex digits, never all zero. */
  traceId: string;
  /** This request's span id (16 hex digits): the parent-id of everything it calls. */
  spanId: string;
  /** The caller's span id, when a valid traceparent came in. */
  parentId: string | null;
  /** trace-flags (2 hex digits), kept from the caller; `00` for a trace started here. */
  flags: string;
  /** `00-<traceId>-<spanId>-<flags>`: what events and outbound calls carry. */
  traceparent: string;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** A later version may append fields after a `-` (§3.2.4): parse the known prefix only. */
const FUTURE_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The trace id, parent id and flags of a valid header; null for anything invalid. */
export function parseTraceparent(
  header: string | null | undefined,
): { traceId: string; parentId: string; flags: string } | null {
  if (header === null || header === undefined || header.length > 512) return null;
  const value = header.trim();
  const current = VERSION_00.exec(value);
  const future = current === null ? FUTURE_VERSION.exec(value) : null;
  // Version ff is invalid; a version-00 header with extra fields is invalid too.
  if (future && (future[1] === 'ff' || future[1] === '00')) return null;
  const fields = current ? current.slice(1, 4) : future ? future.slice(2, 5) : null;
  if (fields === null) return null;
  const [traceId = '', parentId = '', flags = ''] = fields;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, parentId, flags };
}

/** True when `value` is a valid traceparent header value. */
export function isTraceparent(value: string): boolean {
  return parseTraceparent(value) !== null;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function randomHex(bytes: number): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  let out = '';
  for (const byte of random) out += HEX_BYTES[byte];
  return out;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const value = randomHex(bytes);
    if (/[^0]/.test(value)) return value;
  }
}

/** 24 random bytes as a trace id (16) and a span id (8), neither all zeros (W3C Trace Context §3.2.2). */
function newIds(): { traceId: string; spanId: string } {
  const random = crypto.getRandomValues(new Uint8Array(24));
  let traceId = '';
  let spanId = '';
  for (let i = 0; i < 16; i += 1) traceId += HEX_BYTES[random[i] ?? 0];
  for (let i = 16; i < 24; i += 1) spanId += HEX_BYTES[random[i] ?? 0];
  return {
    traceId: /[^0]/.test(traceId) ? traceId : nonZeroHex(16),
    spanId: /[^0]/.test(spanId) ? spanId : nonZeroHex(8),
  };
}

/** This request's span: continues the caller's trace when its header is valid, else starts a new one. */
export function startSpan(header: string | null | undefined): TraceContext {
  const incoming = parseTraceparent(header);
  const ids = newIds();
  const traceId = incoming?.traceId ?? ids.traceId;
  const spanId = ids.spanId;
  const flags = incoming?.flags ?? '00';
  return {
    traceId,
    spanId,
    parentId: incoming?.parentId ?? null,
    flags,
    traceparent: `00-${traceId}-${spanId}-${flags}`,
  };
}

/**
 * The traceparent for an outbound call made on behalf of `parent` (a traceparent): same trace, a new
 * span id. Without a valid parent a new trace starts.
 */
export function childTraceparent(parent: string | null | undefined): string {
  const incoming = parseTraceparent(parent);
  if (incoming === null) return startSpan(null).traceparent;
  return `00-${incoming.traceId}-${nonZeroHex(8)}-${incoming.flags}`;
}
