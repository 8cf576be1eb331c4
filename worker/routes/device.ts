/**
 * RFC 8628 device authorization grant, the Worker side: POST /oauth/device_authorization (JSON, for
 * the device) and GET/POST /oauth/device/verify (pages, for the user's browser: sign-in through the
 * login page, code entry, approve/deny, result). Pages follow post/redirect/get: a POST answers 303.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  DEVICE_AUTHORIZATION_PATH,
  DEVICE_VERIFICATION_PATH,
  type DeviceUser,
  decideUserCode,
  deviceAuthorizationRequest,
  findUserCode,
  formatUserCode,
  normalizeUserCode,
} from '../../src/oauth/device';
import { MethodNotAllowedError } from '../../src/oauth/errors';
import type { FormParams } from '../../src/oauth/form';
import { registeredItself } from '../../src/oauth/registration/provenance';
import { grantableScopes } from '../../src/oauth/scopes/admin-scope';
import { userCodeThrottleKeys } from '../../src/sign-in/login-throttle';
import { DeviceCodePage, DeviceConfirmPage, DeviceDonePage } from '../../templates/device';
import type { AppEnv } from '../context';
import { clientIp } from '../http/client-ip';
import { PageError, pageNonce, renderPage } from '../http/pages';
import { strictQuery } from '../http/query';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { loginRedirect, signedInUser } from '../middleware/session';
import { loginThrottle } from '../wiring/login-throttle';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { answer, clientForm, jsonResponse, oauthFormRoute, registerBodySchema } from './schemas';

const DeviceAuthorizationSchema = z
  .object({
    device_code: z.string(),
    user_code: z.string().openapi({ example: 'BCDF-GHJK' }),
    verification_uri: z.string(),
    verification_uri_complete: z.string(),
    expires_in: z.number().int().openapi({ example: 600 }),
    interval: z.number().int().openapi({ example: 5 }),
  })
  .openapi('DeviceAuthorizationResponse');

/** The form of a device authorization request (RFC 8628 §3.1). */
export const DeviceAuthorizationRequestSchema = clientForm({ scope: z.string().optional() });

export const deviceAuthorizationRoute = oauthFormRoute({
  path: DEVICE_AUTHORIZATION_PATH,
  summary: 'Device authorization (RFC 8628)',
  description:
    'Starts a device flow: the device shows user_code and verification_uri, then polls /oauth/token with grant_type urn:ietf:params:oauth:grant-type:device_code. Confidential clients authenticate as at the token endpoint; public clients send client_id.',
  form: 'DeviceAuthorizationRequest',
  responses: { 200: jsonResponse('Device authorization started', DeviceAuthorizationSchema) },
});

const UNKNOWN_CODE = 'That code is not valid or has expired. Check the code on your device and try again.';
const TOO_MANY = 'Too many wrong codes. Wait a few minutes and try again.';

async function codePage(
  c: Context<AppEnv>,
  value: string,
  error: string | null,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const page = DeviceCodePage({
    nonce: pageNonce(c),
    csrfToken: await csrfToken(c),
    action: DEVICE_VERIFICATION_PATH,
    value: value.slice(0, 16),
    error,
  });
  return renderPage(c, page, status);
}

function throttled(c: Context<AppEnv>, retryAfterSecs: number, value: string): Promise<Response> {
  c.header('Retry-After', String(retryAfterSecs));
  return codePage(c, value, TOO_MANY, 429);
}

function see(c: Context<AppEnv>, query: Record<string, string>): Response {
  c.header('Cache-Control', 'no-store');
  const search = new URLSearchParams(query).toString();
  return c.redirect(`${DEVICE_VERIFICATION_PATH}${search ? `?${search}` : ''}`, 303);
}

async function showVerification(c: Context<AppEnv>): Promise<Response> {
  const query = strictQuery(c);
  const typed = query.get('user_code');
  const user = signedInUser(c);
  if (!user) {
    const code = normalizeUserCode(typed);
    const back = code === null ? '' : `?${new URLSearchParams({ user_code: formatUserCode(code) })}`;
    return loginRedirect(c, `${DEVICE_VERIFICATION_PATH}${back}`);
  }
  const done = query.get('done');
  if (done === 'approved' || done === 'denied') {
    return renderPage(c, DeviceDonePage({ nonce: pageNonce(c), approved: done === 'approved' }));
  }
  if (typed === undefined) return codePage(c, '', null);
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  const keys = userCodeThrottleKeys(clientIp(c.req.raw), user.userId);
  const found = await findUserCode(ctx, loginThrottle(c.env), keys, typed);
  if (found.kind === 'throttled') return throttled(c, found.retryAfterSecs, typed);
  if (found.kind === 'unknown') return codePage(c, typed, UNKNOWN_CODE, 400);
  const page = DeviceConfirmPage({
    nonce: pageNonce(c),
    csrfToken: await csrfToken(c),
    action: DEVICE_VERIFICATION_PATH,
    userCode: formatUserCode(found.userCode),
    clientName: found.client.clientName ?? found.client.clientId,
    scopes: ctx.config.scopes.describe(await grantableScopes(ctx, found.scopes, user.userId)),
    selfRegistered: registeredItself(found.client),
    username: user.username,
  });
  return renderPage(c, page);
}

async function submitVerification(c: Context<AppEnv>): Promise<Response> {
  const form = await readForm(c.req.raw);
  await verifyCsrf(c, form);
  const user = signedInUser(c);
  if (!user) throw new PageError(401, 'Your session ended. Sign in and enter the code again.');
  const typed = form.get('user_code') ?? '';
  const decision = form.get('decision');
  if (decision === undefined) {
    const code = normalizeUserCode(typed);
    if (code === null) return codePage(c, typed, UNKNOWN_CODE, 400);
    return see(c, { user_code: formatUserCode(code) });
  }
  return decide(c, form, user, decision);
}

async function decide(
  c: Context<AppEnv>,
  form: FormParams,
  user: DeviceUser,
  decision: string,
): Promise<Response> {
  if (decision !== 'approve' && decision !== 'deny') {
    throw new PageError(400, 'The form was not understood.', { title: 'Invalid request' });
  }
  const typed = form.get('user_code') ?? '';
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  const keys = userCodeThrottleKeys(clientIp(c.req.raw), user.userId);
  const outcome = await decideUserCode(
    ctx,
    loginThrottle(c.env),
    keys,
    { userCode: typed, approve: decision === 'approve' },
    user,
  );
  switch (outcome.kind) {
    case 'throttled':
      return throttled(c, outcome.retryAfterSecs, typed);
    case 'unknown':
      return codePage(c, typed, UNKNOWN_CODE, 400);
    case 'approved':
    case 'denied':
      return see(c, { done: outcome.kind });
  }
}

export function registerDeviceRoutes(app: OpenAPIHono<AppEnv>): void {
  registerBodySchema(app, 'DeviceAuthorizationRequest', DeviceAuthorizationRequestSchema);
  app.openapi(deviceAuthorizationRoute, async (c) => {
    const params = await readForm(c.req.raw);
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const body = await deviceAuthorizationRequest(ctx, params, c.req.header('authorization'));
    return answer(c.json(body, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' }));
  });
  app.get(DEVICE_VERIFICATION_PATH, showVerification);
  app.post(DEVICE_VERIFICATION_PATH, submitVerification);
  app.on(['PUT', 'PATCH', 'DELETE'], DEVICE_VERIFICATION_PATH, () => {
    throw new MethodNotAllowedError('GET, POST');
  });
}
