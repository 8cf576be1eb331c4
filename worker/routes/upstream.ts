/**
 * GET /auth/login/{provider} and GET /auth/callback/{provider}: sign-in through an upstream provider
 * (src/sign-in/upstream). Start: a pending attempt bound to this browser (`upstream` cookie) is saved, then
 * 302 to the provider. Callback: the attempt is taken (single use; an unknown, replayed, expired or other
 * browser's `state` is a 400 page), the code redeemed and the ID token validated, the local account found
 * or created, a new session started, and the browser continues to the attempt's `return_to`. Denials and
 * provider failures go back to the login page with a message; unknown or disabled providers are 404 pages.
 */
import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { systemClock } from '../../src/clock';
import { MethodNotAllowedError } from '../../src/oauth/errors';
import { type FormParams, parseForm } from '../../src/oauth/form';
import { safeReturnPath } from '../../src/sign-in/return-to';
import {
  BINDING_PATTERN,
  type CallbackResult,
  findProvider,
  finishSignIn,
  newBinding,
  PENDING_TTL_SECS,
  type ProviderConfig,
  resolveAccount,
  startSignIn,
  takePending,
  type UpstreamFailure,
  UpstreamSignInError,
  upstreamHttp,
} from '../../src/sign-in/upstream';
import type { AppEnv } from '../context';
import { PageError } from '../http/pages';
import { requestEvents } from '../middleware/observability';
import { cookieName, cookieOptions, signIn } from '../middleware/session';
import { executionContextOf, requestStorage } from '../wiring/request-storage';
import { outboundBreakers } from '../wiring/resilience';
import { denylistCache, oauthContext } from '../wiring/services';

/** The password sign-in page (worker/routes/auth.ts), where failed attempts end. */
const LOGIN_PATH = '/auth/login';
const LOGIN_PROVIDER_PATH = '/auth/login/:provider';
const CALLBACK_PATH = '/auth/callback/:provider';
/** The query string, parsed as strictly as a form (a repeated or malformed parameter is a 400 page). */
function strictQuery(c: Context<AppEnv>): FormParams {
  return parseForm(new URL(c.req.url).search.slice(1));
}

/** No provider's code or state comes near this; longer values are refused before any work. */
const MAX_PARAM_LENGTH = 2048;

/** The login page's upstream part: one link per enabled provider, and the message of a failed attempt. */
export function upstreamLoginView(
  c: Context<AppEnv>,
  query: FormParams,
): { providers: { id: string; name: string }[]; error: string | null } {
  const upstream = c.get('config').upstream;
  const providers = upstream.providers.map((p) => ({ id: p.id, name: p.name }));
  const reason = query.get('upstream_error');
  const provider = findProvider(upstream, query.get('provider') ?? '');
  const error = reason !== undefined && provider !== null ? failureMessage(reason, provider.name) : null;
  return { providers, error };
}

function failureMessage(reason: string, name: string): string | null {
  const messages: Record<UpstreamFailure, string> = {
    denied: `Sign-in with ${name} was cancelled.`,
    failed: `Sign-in with ${name} did not complete. Try again, or sign in another way.`,
    unavailable: `${name} could not be reached. Try again in a moment, or sign in another way.`,
    no_account: `Your ${name} account cannot be used to sign in here.`,
  };
  return Object.hasOwn(messages, reason) ? messages[reason as UpstreamFailure] : null;
}

function providerOf(c: Context<AppEnv>): ProviderConfig {
  const provider = findProvider(c.get('config').upstream, c.req.param('provider') ?? '');
  if (provider === null) {
    throw new PageError(404, 'This sign-in provider is not available.', {
      title: 'Not found',
      error: 'not_found',
    });
  }
  return provider;
}

function http(c: Context<AppEnv>, provider: ProviderConfig) {
  const config = c.get('config');
  return upstreamHttp({
    target: provider.id,
    timeoutMs: config.upstream.timeoutMs,
    policy: config.outbound,
    breaker: outboundBreakers(c.env, config, `upstream_${provider.id}`),
    traceparent: c.get('obs')?.trace.traceparent ?? null,
  });
}

function bindingCookie(c: Context<AppEnv>): string {
  return cookieName(c, 'upstream');
}

/** Back to the login page with a fixed message for `reason` (never the provider's text). */
function backToLogin(
  c: Context<AppEnv>,
  provider: ProviderConfig,
  reason: UpstreamFailure,
  returnTo: string,
) {
  const query = new URLSearchParams({ return_to: returnTo, upstream_error: reason, provider: provider.id });
  c.header('Cache-Control', 'no-store');
  return c.redirect(`${LOGIN_PATH}?${query}`, 302);
}

function logFailure(c: Context<AppEnv>, provider: ProviderConfig, error: UpstreamSignInError): void {
  console.log(
    JSON.stringify({
      level: 'warn',
      msg: 'upstream sign-in failed',
      provider: provider.id,
      reason: error.reason,
      detail: error.detail,
    }),
  );
  requestEvents(c).publish({
    type: 'user_authentication_failed',
    severity: 'warning',
    metadata: { method: 'upstream', provider: provider.id, reason: error.reason },
  });
}

async function startLogin(c: Context<AppEnv>): Promise<Response> {
  const provider = providerOf(c);
  const config = c.get('config');
  const returnTo = safeReturnPath(strictQuery(c).get('return_to'));
  const existing = getCookie(c, bindingCookie(c));
  const binding = existing !== undefined && BINDING_PATTERN.test(existing) ? existing : newBinding();
  const ctx = oauthContext(c.env, config, c.req.url, executionContextOf(c));
  try {
    const url = await startSignIn(provider, ctx.auth, http(c, provider), {
      issuer: ctx.issuer,
      binding,
      returnTo,
      shards: config.tokenActorShards,
      now: systemClock.nowSecs(),
    });
    // Every attempt renews the binding's lifetime; concurrent attempts in two tabs share it.
    setCookie(c, bindingCookie(c), binding, cookieOptions(c, PENDING_TTL_SECS));
    c.header('Cache-Control', 'no-store');
    return c.redirect(url, 302);
  } catch (error) {
    if (!(error instanceof UpstreamSignInError)) throw error;
    logFailure(c, provider, error);
    return backToLogin(c, provider, error.reason, returnTo);
  }
}

function callbackOf(query: FormParams): CallbackResult {
  const iss = query.get('iss') ?? null;
  const error = query.get('error');
  if (error !== undefined) return { error: /^[\x20-\x7e]{1,64}$/.test(error) ? error : 'invalid_error', iss };
  const code = query.get('code');
  if (code === undefined || code.length === 0) return { error: 'missing_code', iss };
  return { code, iss };
}

async function callback(c: Context<AppEnv>): Promise<Response> {
  const provider = providerOf(c);
  const query = strictQuery(c);
  for (const value of query.values()) {
    if (value.length > MAX_PARAM_LENGTH) throw invalidCallback();
  }
  const config = c.get('config');
  const ctx = oauthContext(c.env, config, c.req.url, executionContextOf(c));
  const pending = await takePending(ctx.auth, query.get('state'), getCookie(c, bindingCookie(c)));
  if (pending === null || pending.provider !== provider.id) throw invalidCallback();
  try {
    const profile = await finishSignIn(provider, http(c, provider), pending, callbackOf(query), Date.now());
    const storage = requestStorage(c);
    const { user, outcome } = await resolveAccount(
      storage,
      config,
      provider.id,
      profile,
      systemClock.nowSecs(),
    );
    if ((await denylistCache(c.env, config).get()).matchUser(user, systemClock.nowSecs())) {
      throw new UpstreamSignInError('no_account', 'user denylisted');
    }
    await signIn(c, user);
    requestEvents(c).publish({
      type: 'user_authenticated',
      userId: user.id,
      metadata: { method: 'upstream', provider: provider.id, account: outcome },
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(pending.returnTo, 302);
  } catch (error) {
    if (!(error instanceof UpstreamSignInError)) throw error;
    logFailure(c, provider, error);
    return backToLogin(c, provider, error.reason, pending.returnTo);
  }
}

function invalidCallback(): PageError {
  return new PageError(
    400,
    'This sign-in response is invalid, was already used, or has expired. Start again from the sign-in page.',
    { title: 'Sign-in failed' },
  );
}

export function registerUpstreamRoutes(app: Hono<AppEnv>): void {
  app.get(LOGIN_PROVIDER_PATH, startLogin);
  app.get(CALLBACK_PATH, callback);
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], [LOGIN_PROVIDER_PATH, CALLBACK_PATH], () => {
    throw new MethodNotAllowedError('GET');
  });
}
