/**
 * The invalid_client penalty (token, introspection, revocation, PAR and device authorization endpoints):
 * every failed client authentication counts against the client_id it presented together with the client
 * address (CF-Connecting-IP, IPv6 by its /64), OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS per window.
 * Once that pair has used up its failures, its requests answer 429 before their credentials are checked,
 * until the window ends.
 *
 * Keyed by the pair, so that whoever guesses at a client's secret is refused without refusing the client
 * itself: its owner, calling from its own address, is still served. A failure of a public client
 * (registered with `none`: it has no secret to guess) is not counted at all.
 *
 * The count is global (the rate-limit backend); the refusal before authentication is per isolate: an
 * isolate refuses once it has itself seen the pair used up, and an isolate that has not yet seen it still
 * checks the next request's credentials, turning that request's failure (not a success) into the 429.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { assertionClientId } from '../../src/oauth/client-auth/assertion';
import { OAuthError } from '../../src/oauth/errors';
import { ipBucket } from '../../src/sign-in/login-throttle';
import type { AppEnv } from '../context';
import { clientIp } from '../http/client-ip';
import { rateLimiter } from '../wiring/rate-limit';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { renderError } from './errors';
import { tooManyRequests } from './rate-limit';

/** Longest client_id counted as it is (longer ones are cut; no registered id is that long). */
const MAX_CLIENT_ID = 256;
/** Larger bodies are not read twice here (the route refuses them anyway). */
const MAX_BODY_BYTES = 64 * 1024;
const DESCRIPTION =
  'too many failed client authentications for this client_id from this address; retry later';

/** The client_id of Basic credentials, or null when absent or malformed. */
function basicClientId(authorization: string): string | null {
  try {
    const decoded = atob(authorization.slice(6).trim());
    const colon = decoded.indexOf(':');
    if (colon <= 0) return null;
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * The client_id a request presents (Basic header, else the form's client_id, else the `iss` of its
 * client assertion), without checking it.
 */
async function presentedClientId(c: Context<AppEnv>): Promise<string | null> {
  const authorization = c.req.header('authorization');
  if (authorization !== undefined && /^basic /i.test(authorization)) return basicClientId(authorization);
  const type = c.req.header('content-type') ?? '';
  const length = Number(c.req.header('content-length') ?? '0');
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded') || length > MAX_BODY_BYTES)
    return null;
  try {
    const bytes = await c.req.raw.clone().arrayBuffer();
    if (bytes.byteLength > MAX_BODY_BYTES) return null;
    const text = new TextDecoder().decode(bytes);
    const form = new URLSearchParams(text);
    const assertion = form.get('client_assertion');
    // RFC 7523 §3: with a JWT assertion the client_id is optional; the assertion's iss/sub names the client.
    if (form.get('client_id') === null && assertion !== null) return assertionClientIdOrNull(assertion);
    return form.get('client_id');
  } catch {
    return null;
  }
}

/** The client_id a client assertion claims (unverified), or null when it names none. */
function assertionClientIdOrNull(assertion: string): string | null {
  try {
    return assertionClientId(assertion);
  } catch {
    return null;
  }
}

/** Whether the client is registered as public: a failure cannot be a guess at its secret. */
async function isPublicClient(c: Context<AppEnv>, clientId: string): Promise<boolean> {
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  const client = await ctx.clients.get(clientId).catch(() => null);
  return client?.tokenEndpointAuthMethod === 'none';
}

export const invalidClientPenalty: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get('config');
  if (!config.rateLimit.enabled || c.req.method !== 'POST') return next();
  const clientId = await presentedClientId(c);
  if (clientId === null || clientId === '') return next();
  const limiter = rateLimiter(c.env, config);
  const rule = config.rateLimit.invalidClient;
  // A space never occurs in an address bucket, so the pair reads back unambiguously.
  const key = `client:${ipBucket(clientIp(c.req.raw))} ${clientId.slice(0, MAX_CLIENT_ID)}`;

  const known = limiter.known(rule, key);
  if (known) throw tooManyRequests('invalid_client', known, DESCRIPTION);

  await next();
  const error = c.error;
  if (!(error instanceof OAuthError) || error.error !== 'invalid_client') return;
  if (await isPublicClient(c, clientId)) return;
  const decision = await limiter.hit(rule, key, executionContextOf(c));
  if (decision.allowed) return;
  // The 401 is answered already: render the 429 in its place (c.error stays the invalid_client failure).
  // Assigning c.res keeps the 401's headers: drop its challenge, which no longer applies.
  c.res.headers.delete('WWW-Authenticate');
  c.res = await renderError(c, tooManyRequests('invalid_client', decision, DESCRIPTION));
};
