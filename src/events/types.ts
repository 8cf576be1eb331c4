/**
 * Domain events: the seed's event types plus `admin_action`, and the envelope every event travels in
 * (`{id, type, time, severity, user_id, client_id, metadata, idempotency_key, traceparent}`).
 */

/** Every event type, in the seed's snake_case names, plus `admin_action` for admin mutations. */
export const EVENT_TYPES = [
  'authorization_code_created',
  'authorization_code_validated',
  'authorization_code_expired',
  'token_created',
  'token_validated',
  'token_revoked',
  'token_expired',
  'client_registered',
  'client_validated',
  'client_deleted',
  'user_authenticated',
  'user_authentication_failed',
  'user_logout',
  'admin_action',
  /** One OIDC back-channel logout delivery (src/oidc/backchannel-logout.ts). */
  'backchannel_logout',
  /** A second factor was added, removed, or a second-factor code was refused (src/sign-in/mfa). */
  'mfa_enrolled',
  'mfa_removed',
  'mfa_failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A JSON value, as metadata may carry it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What code publishes: the type, who it concerns, and metadata. Metadata holds ids, names, flags and
 * counts only: never a token, code, secret, password or cookie (keys with such names are dropped anyway).
 */
export interface DomainEvent {
  type: EventType;
  /** Default `info`. */
  severity?: Severity;
  userId?: string | null;
  clientId?: string | null;
  metadata?: Record<string, unknown>;
  /** Two events with the same key are one event (recorded once); default: the event id. */
  idempotencyKey?: string;
}

/** The wire form of an event: queue message body, webhook body, `POST /events/ingest` body. */
export interface EventEnvelope {
  /** UUIDv7 (time-ordered) for events this server produces; any id up to 128 characters when ingested. */
  id: string;
  type: EventType;
  /** RFC 3339 UTC with milliseconds. */
  time: string;
  severity: Severity;
  user_id: string | null;
  client_id: string | null;
  metadata: Record<string, JsonValue>;
  idempotency_key: string;
  /** W3C trace context of the request that produced the event, when there was one. */
  traceparent: string | null;
}

/** Publishes events; never throws and never waits (delivery happens after the response). */
export interface EventPort {
  publish(event: DomainEvent): void;
}
