/**
 * OpenID Connect Back-Channel Logout 1.0: when a session ends, one `backchannel_logout` event per client
 * with a `backchannel_logout_uri` that received tokens in it (§2.7); the queue consumer's plugin signs a
 * Logout Token (§2.4: `typ: logout+jwt`, iss, aud, iat, exp, jti, events, sub and sid, never a nonce) with
 * the client's ID token key and POSTs it as `logout_token` (§2.5), with a deadline, a per-host circuit
 * breaker and an SSRF guard; a failure throws, so the queue retries the message with backoff.
 */
import { SignJWT } from 'jose';
import type { KeySet } from '../crypto/signing-keys';
import type { EventPlugin } from '../events/plugins/types';
import type { DomainEvent, EventEnvelope } from '../events/types';
import type { OAuthContext } from '../oauth/ports';
import type { MetricsRegistry } from '../observability/metrics';
import { CircuitBreaker } from '../resilience/circuit-breaker';
import type { ClientRecord } from '../storage/ports';
import type { BackchannelConfig } from './backchannel-config';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** The event type that carries one delivery (one client, one session or user). */
export const BACKCHANNEL_EVENT_TYPE = 'backchannel_logout' as const;
/** §2.4: a short lifetime; the RP rejects a token it sees after `exp` (retries sign a new one). */
export const LOGOUT_TOKEN_TTL_SECS = 120;

/** Grants looked at per logout: at most this many pages of 100 (a user's live grants). */
const MAX_GRANT_PAGES = 10;

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
  ctx: Pick<OAuthContext, 'storage' | 'now'>,
  userId: string,
): Promise<EndedSessions> {
  try {
    return { userId, sids: await ctx.storage.sessions.sidsByUser(userId, ctx.now()) };
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
  ctx: Pick<OAuthContext, 'storage' | 'clients' | 'events' | 'issuer' | 'now'>,
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
  ctx: Pick<OAuthContext, 'storage' | 'clients' | 'now'>,
  ended: EndedSessions,
): Promise<Delivery[]> {
  // client_id -> the sessions (sid, or null for a grant recorded without one) of its live grants.
  const grantSessions = new Map<string, Set<string | null>>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_GRANT_PAGES; page++) {
    const listed = await ctx.storage.grants.list({
      userId: ended.userId,
      sid: ended.sid,
      activeAt: ctx.now(),
      limit: 100,
      cursor,
    });
    for (const grant of listed.items) {
      const sids = grantSessions.get(grant.clientId) ?? new Set<string | null>();
      sids.add(grant.sid ?? null);
      grantSessions.set(grant.clientId, sids);
    }
    if (listed.nextCursor === null) break;
    cursor = listed.nextCursor;
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

/** Why a URI may not receive logout tokens, or null when it may (SSRF guard, §2.2). */
export function logoutUriProblem(uri: string, allowHttpLoopback: boolean): string | null {
  const url = URL.parse(uri);
  if (!url) return 'not an absolute URI';
  if (url.hash !== '' || uri.includes('#')) return 'has a fragment';
  if (url.username || url.password) return 'contains credentials';
  const host = url.hostname.toLowerCase();
  const loopback = isLoopback(host);
  if (url.protocol === 'http:') return allowHttpLoopback && loopback ? null : 'must be https';
  if (url.protocol !== 'https:') return 'must be https';
  if (loopback || isPrivateAddress(host)) return 'names a loopback or private address';
  return null;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\./.test(host);
}

/** IPv4 literals in private, link-local, CGNAT or unspecified ranges, and IPv6 literals that are not global. */
function isPrivateAddress(host: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    return v6 === '::' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || v6.startsWith('::ffff:');
  }
  return false;
}

export interface BackchannelPluginOptions {
  config: BackchannelConfig;
  /** The client as registered now (a client deleted or disabled since gets nothing). */
  client(clientId: string): Promise<ClientRecord | null>;
  keys(): Promise<KeySet>;
  fetch: typeof fetch;
  /** The breaker of an RP host (per isolate). */
  breaker(host: string): CircuitBreaker;
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
      const problem = logoutUriProblem(uri, options.config.allowHttpLoopback);
      if (problem) {
        options.logError(
          JSON.stringify({ level: 'warn', msg: 'back-channel logout skipped', client_id: clientId, problem }),
        );
        return;
      }
      const token = await logoutToken(options, client, envelope, metadata.iss);
      await post(options, client, new URL(uri), token);
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
  const es256 = client.metadata.id_token_signed_response_alg === 'ES256';
  const key = es256 ? keySet.active.access_token : keySet.active.id_token;
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
async function post(options: BackchannelPluginOptions, client: ClientRecord, url: URL, token: string) {
  const breaker = options.breaker(url.host);
  const permit = breaker.tryAcquire();
  if (permit === null) throw new LogoutDeliveryError(`${url.host} circuit open`);
  const started = options.nowMs();
  let status = 0;
  try {
    const res = await options.fetch(url.toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Cache-Control': 'no-store' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.config.timeoutMs),
    });
    status = res.status;
    await res.body?.cancel();
  } catch (error) {
    permit.failure();
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new LogoutDeliveryError(`${url.host} ${timedOut ? 'timed out' : 'unreachable'}`);
  } finally {
    options.metrics.inc('http_client_requests_total', { target: 'backchannel_logout', status });
    options.metrics.observe(
      'http_client_request_duration_seconds',
      { target: 'backchannel_logout' },
      (options.nowMs() - started) / 1000,
    );
  }
  if (status >= 500) permit.failure();
  else permit.success();
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
  throw new LogoutDeliveryError(`${url.host} answered ${status}`);
}

/** Breakers per RP host, per isolate (bounded: the oldest host is forgotten past `max`). */
export function hostBreakers(now: () => number, max = 256): (host: string) => CircuitBreaker {
  const breakers = new Map<string, CircuitBreaker>();
  return (host) => {
    let breaker = breakers.get(host);
    if (!breaker) {
      breaker = new CircuitBreaker(`backchannel_logout:${host}`, {
        failureThreshold: 5,
        successThreshold: 1,
        openMs: 30_000,
        halfOpenMaxProbes: 1,
        now,
      });
      if (breakers.size >= max) breakers.delete(breakers.keys().next().value as string);
      breakers.set(host, breaker);
    }
    return breaker;
  };
}
