/**
 * OpenID Connect Back-Channel Logout 1.0: when a session ends, one `backchannel_logout` event per client
 * with a `backchannel_logout_uri` that received tokens in it (§2.7); the queue consumer's plugin signs a
 * Logout Token (§2.4: `typ: logout+jwt`, iss, aud, iat, exp, jti, events, sub and sid, never a nonce) with
 * the client's ID token key and POSTs it as `logout_token` (§2.5) through src/outbound (the URL policy,
 * a deadline, a per-host circuit breaker, no redirects); a failure throws, so the queue retries the
 * message with backoff.
 */
import { SignJWT } from 'jose';
import type { KeySet } from '../crypto/signing-keys';
import type { EventPlugin } from '../events/plugins/types';
import type { DomainEvent, EventEnvelope } from '../events/types';
import type { OAuthContext } from '../oauth/ports';
import { logoutUriProblem } from '../oauth/registration/oidc-metadata';
import type { MetricsRegistry } from '../observability/metrics';
import { OutboundError, outboundFetch } from '../outbound/fetch';
import { type OutboundPolicy, outboundUrlProblem } from '../outbound/policy';
import type { CircuitBreaker } from '../resilience/circuit-breaker';
import type { ClientRecord } from '../storage/ports';
import type { BackchannelConfig } from './backchannel-config';
import { idTokenAlg } from './id-token';
import { liveGrants } from './live-grants';

/** Registration's check of a `backchannel_logout_uri` (src/oauth/registration/oidc-metadata.ts). */
export { logoutUriProblem };

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** The event type that carries one delivery (one client, one session or user). */
export const BACKCHANNEL_EVENT_TYPE = 'backchannel_logout' as const;
/** §2.4: a short lifetime; the RP rejects a token it sees after `exp` (retries sign a new one). */
export const LOGOUT_TOKEN_TTL_SECS = 120;

/**
 * What ended: one browser session (its public `sid`), or every session of a user, with the `sid`s of
 * the sessions that were live just before (read with `endingSessions` before they are deleted).
 */
export type EndedSessions =
  | { userId: string; sid: string; sids?: undefined }
  | { userId: string; sid?: undefined; sids: readonly string[] };

/** One delivery: a client, and the session it is told about (absent: every session of the user). */
interface Delivery {
  client: ClientRecord;
  sid?: string | undefined;
}

/**
 * Every session of `userId` that is about to end, to call before deleting them. Never throws: when
 * they cannot be read the logout still goes out, naming the user only.
 */
export async function endingSessions(
  ctx: Pick<OAuthContext, 'storage' | 'clock'>,
  userId: string,
): Promise<EndedSessions> {
  try {
    return { userId, sids: await ctx.storage.sessions.sidsByUser(userId, ctx.clock.nowSecs()) };
  } catch {
    return { userId, sids: [] };
  }
}

/**
 * Publishes one delivery per client (and session) to notify, among the enabled clients with a
 * registered `backchannel_logout_uri`:
 * - one session ended: the clients with a live grant made in that session (`grants.sid`), told `sid`;
 * - every session of the user ended: the clients with a live grant of the user, told `sub` only (all
 *   sessions at the RP), except a client registered with `backchannel_logout_session_required`, which
 *   gets one delivery per ended session it has a live grant in, with that `sid` (`sub` only when none).
 * Never throws: logging out must not fail because of this.
 */
export async function publishBackchannelLogout(
  ctx: Pick<OAuthContext, 'storage' | 'clients' | 'events' | 'issuer' | 'clock'>,
  ended: EndedSessions,
  via: string,
): Promise<number> {
  try {
    const deliveries = await deliveriesFor(ctx, ended);
    for (const delivery of deliveries) {
      ctx.events.publish(deliveryEvent(ctx.issuer, delivery, ended.userId, via));
    }
    return deliveries.length;
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    console.error(
      JSON.stringify({ level: 'error', msg: 'back-channel logout not published', error: reason }),
    );
    return 0;
  }
}

async function deliveriesFor(
  ctx: Pick<OAuthContext, 'storage' | 'clients' | 'clock'>,
  ended: EndedSessions,
): Promise<Delivery[]> {
  // client_id -> the sessions (sid, or null for a grant recorded without one) of its live grants.
  const grantSessions = new Map<string, Set<string | null>>();
  for (const grant of await liveGrants(ctx, ended)) {
    const sids = grantSessions.get(grant.clientId) ?? new Set<string | null>();
    sids.add(grant.sid ?? null);
    grantSessions.set(grant.clientId, sids);
  }
  const deliveries: Delivery[] = [];
  for (const [clientId, sids] of grantSessions) {
    const client = await ctx.clients.get(clientId);
    if (!client?.enabled || typeof client.metadata.backchannel_logout_uri !== 'string') continue;
    if (ended.sid !== undefined) {
      deliveries.push({ client, sid: ended.sid });
      continue;
    }
    const named =
      client.metadata.backchannel_logout_session_required === true
        ? ended.sids.filter((sid) => sids.has(sid))
        : [];
    if (named.length === 0) deliveries.push({ client });
    for (const sid of named) deliveries.push({ client, sid });
  }
  return deliveries;
}

function deliveryEvent(issuer: string, delivery: Delivery, userId: string, via: string): DomainEvent {
  return {
    type: BACKCHANNEL_EVENT_TYPE,
    clientId: delivery.client.clientId,
    userId,
    metadata: { iss: issuer, ...(delivery.sid === undefined ? {} : { sid: delivery.sid }), via },
  };
}

export interface BackchannelPluginOptions {
  config: BackchannelConfig;
  /** What the running server may reach (config.outbound). */
  policy: OutboundPolicy;
  /** The client as registered now (a client deleted or disabled since gets nothing). */
  client(clientId: string): Promise<ClientRecord | null>;
  keys(): Promise<KeySet>;
  fetch?: typeof fetch;
  /** The breaker of an RP host (per isolate); none when absent. */
  breaker?: ((host: string) => CircuitBreaker) | undefined;
  metrics: MetricsRegistry;
  nowMs: () => number;
  logError: (line: string) => void;
}

/** An RP did not take the logout token (network error, timeout, 5xx, 429, open breaker): retried. */
export class LogoutDeliveryError extends Error {
  constructor(reason: string) {
    super(`back-channel logout delivery failed: ${reason}`);
    this.name = 'LogoutDeliveryError';
  }
}

/** The queue plugin that delivers `backchannel_logout` events (others, and ingested ones, are ignored). */
export function backchannelLogoutPlugin(options: BackchannelPluginOptions): EventPlugin {
  return {
    name: 'backchannel_logout',
    async deliver(envelope: EventEnvelope): Promise<void> {
      if (envelope.type !== BACKCHANNEL_EVENT_TYPE || envelope.metadata.source === 'ingest') return;
      const { client_id: clientId, metadata } = envelope;
      if (clientId === null || typeof metadata.iss !== 'string') return;
      const client = await options.client(clientId);
      const uri = client?.enabled ? client.metadata.backchannel_logout_uri : undefined;
      if (!client || typeof uri !== 'string') return;
      const problem = logoutUriProblem(uri) ?? outboundUrlProblem(uri, options.policy);
      if (problem) {
        options.logError(
          JSON.stringify({ level: 'warn', msg: 'back-channel logout skipped', client_id: clientId, problem }),
        );
        return;
      }
      const token = await logoutToken(options, client, envelope, metadata.iss);
      await post(options, client, uri, token);
    },
  };
}

/** §2.4 Logout Token, signed like the client's ID tokens; `jti` is the event id (stable across retries). */
async function logoutToken(
  options: BackchannelPluginOptions,
  client: ClientRecord,
  envelope: EventEnvelope,
  issuer: string,
): Promise<string> {
  const keySet = await options.keys();
  const key = keySet.active.id_token[idTokenAlg(client)];
  if (!key) throw new LogoutDeliveryError('no active signing key');
  const claims: Record<string, unknown> = { events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } };
  if (typeof envelope.metadata.sid === 'string') claims.sid = envelope.metadata.sid;
  const iat = Math.floor(options.nowMs() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
    .setIssuer(issuer)
    .setAudience(client.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + LOGOUT_TOKEN_TTL_SECS)
    .setJti(envelope.id);
  if (envelope.user_id !== null) jwt.setSubject(envelope.user_id);
  return jwt.sign(key.privateKey);
}

/**
 * §2.5: POST `logout_token` as a form; 2xx is done. A 4xx other than 408/429 is the RP refusing this
 * token (§2.8: 400), which a retry cannot change: logged, not retried. Everything else is retried.
 */
async function post(options: BackchannelPluginOptions, client: ClientRecord, uri: string, token: string) {
  let status: number;
  try {
    const answer = await outboundFetch(
      uri,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Cache-Control': 'no-store' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      },
      {
        target: 'backchannel_logout',
        policy: options.policy,
        timeoutMs: options.config.timeoutMs,
        maxBytes: 0,
        breaker: options.breaker,
        metrics: options.metrics,
        nowMs: options.nowMs,
        fetch: options.fetch,
      },
    );
    status = answer.status;
  } catch (error) {
    if (error instanceof OutboundError) throw new LogoutDeliveryError(error.message);
    throw error;
  }
  if (status >= 200 && status < 300) return;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    options.logError(
      JSON.stringify({
        level: 'warn',
        msg: 'back-channel logout refused',
        client_id: client.clientId,
        status,
      }),
    );
    return;
  }
  throw new LogoutDeliveryError(`${URL.parse(uri)?.host ?? 'invalid-url'} answered ${status}`);
}
