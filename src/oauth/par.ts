/**
 * RFC 9126 pushed authorization requests. `POST /oauth/par`: the client authenticates as at the token
 * endpoint (a public client by client_id), the request is validated exactly as `/oauth/authorize`
 * would (errors as JSON, §2.3), and is stored in an AuthActor for 60 s under a random reference whose
 * prefix names the shard. `/oauth/authorize?client_id=…&request_uri=…` then uses only the pushed
 * parameters (other front-channel parameters are ignored, §4); the reference is used up once the
 * authorization endpoint answers anything but a trip to the sign-in page.
 *
 * The same store holds every authorization request while its user signs in (`holdForSignIn`): a
 * front-channel request is stored like a pushed one, and the sign-in page returns with only its
 * `request_uri`. The time the new sign-in must follow is kept with the stored request, never in
 * the browser, so no front-channel parameter can relax `prompt=login` or `max_age`.
 *
 * RFC 9449 §10.1: a `DPoP` proof sent with the push is validated as at the token endpoint (htu = this
 * endpoint); its key's thumbprint must equal a pushed `dpop_jkt` and otherwise becomes the request's
 * `dpop_jkt`, so the code is bound to that key.
 */
import type { Config } from '../config';
import type { ClientRecord } from '../storage/ports';
import type { SignInRequirement } from './authorization-state';
import {
  AuthorizationPageError,
  type AuthorizationResponse,
  errorResponse,
  redirectsErrors,
  type VerifiedRedirect,
  verifyRedirect,
} from './authorize/redirect';
import { validateAuthorizationRequest } from './authorize/request';
import { requestObjectParams, requiresSignedRequestObject } from './authorize/request-object';
import { authenticateTokenClient, readClientCredentials } from './client-auth/authenticate';
import { InvalidDpopProofError } from './dpop/errors';
import { type DpopRequest, verifyDpopProof } from './dpop/proof';
import { InvalidRequestError, OAuthError } from './errors';
import type { FormParams } from './form';
import { AUTHORIZATION_CODE_RULE, requireGrantType } from './grant-permission';
import type { OAuthContext } from './ports';
import { newAuthorizationCode } from './sharded-id';

export const PAR_PATH = '/oauth/par';
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** §2.2 `expires_in`: how long the request_uri may be used. */
export const PAR_TTL_SECS = 60;
/** How long a request_uri stays usable once the user was sent to sign in (as long as a consent request). */
export const PAR_INTERACTION_TTL_SECS = 600;

/** References: shard + 256 random bits, like authorization codes. */
const REFERENCE_PATTERN = /^[0-9a-z]{2}[A-Za-z0-9_-]{43}$/;
/** Parameters that authenticate the client at the PAR endpoint, not part of the authorization request. */
const CLIENT_AUTH_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/** RFC 9126 §2.2 success response (201). */
export interface PushedAuthorizationResponse {
  request_uri: string;
  expires_in: number;
}

/** Whether authorization requests of `client` must come through PAR (§5, §6). */
export function requiresPushedRequests(config: Config, client: ClientRecord): boolean {
  return config.requirePar || client.metadata.require_pushed_authorization_requests === true;
}

export async function pushAuthorizationRequest(
  ctx: OAuthContext,
  params: FormParams,
  authorization: string | undefined,
  dpop?: DpopRequest,
): Promise<PushedAuthorizationResponse> {
  const client = await authenticateTokenClient(ctx, readClientCredentials(authorization, params));
  requireGrantType(client, AUTHORIZATION_CODE_RULE);
  if (params.has('request_uri'))
    throw new InvalidRequestError('request_uri must not be pushed (RFC 9126 §2.1)');
  const front = new Map<string, string>();
  for (const [name, value] of params) {
    if (!CLIENT_AUTH_PARAMS.has(name)) front.set(name, value);
  }
  // RFC 9126 §3: a pushed request object; RFC 9101 §6.3: then only its parameters count.
  let pushed = front;
  if (front.has('request')) pushed = await requestObjectParams(ctx, client, front);
  else if (requiresSignedRequestObject(client)) {
    throw new InvalidRequestError(
      'this client must send its authorization requests as signed request objects',
    );
  }
  pushed.set('client_id', client.clientId);
  try {
    verifyRedirect(client, pushed.get('redirect_uri'), pushed.get('state'));
  } catch (error) {
    if (error instanceof AuthorizationPageError) throw new InvalidRequestError(error.message);
    throw error;
  }
  const request = validateAuthorizationRequest(pushed, client, ctx.config.scopes);
  // RFC 9449 §10.1: checked last, so a refused request does not use up the proof's jti.
  const proof = dpop ? await verifyDpopProof(ctx, dpop, 'token') : null;
  if (proof) {
    if (request.dpopJkt !== null && request.dpopJkt !== proof.jkt) {
      throw new InvalidDpopProofError('dpop_jkt does not match the key of the DPoP proof');
    }
    pushed.set('dpop_jkt', proof.jkt);
  }
  const reference = newAuthorizationCode(ctx.config.tokenActorShards);
  await ctx.auth.savePushed(reference, {
    clientId: client.clientId,
    params: [...pushed],
    expiresAt: ctx.clock.nowSecs() + PAR_TTL_SECS,
  });
  return { request_uri: `${REQUEST_URI_PREFIX}${reference}`, expires_in: PAR_TTL_SECS };
}

/** A pushed request found by the authorization endpoint. */
export interface ResolvedPushedRequest {
  reference: string;
  /** The pushed parameters, exactly as stored. */
  params: FormParams;
  /** The sign-in the request waits for (set when the user was sent to sign in), or null. */
  signIn: SignInRequirement | null;
}

function invalidRequestUri(): AuthorizationPageError {
  return new AuthorizationPageError(
    400,
    'Invalid request_uri',
    'The request_uri is unknown, expired, already used or belongs to another client. Start again from the application.',
  );
}

/**
 * The pushed request named by the front channel's `request_uri`, without using it up (§4): it must
 * exist, be unused and unexpired, and belong to the front channel's `client_id`. Otherwise the error
 * page: without the pushed parameters no redirect URI is proven.
 */
export async function resolvePushedRequest(
  ctx: OAuthContext,
  clientId: string,
  front: FormParams,
): Promise<ResolvedPushedRequest> {
  const requestUri = front.get('request_uri') ?? '';
  const reference = requestUri.startsWith(REQUEST_URI_PREFIX)
    ? requestUri.slice(REQUEST_URI_PREFIX.length)
    : '';
  if (!REFERENCE_PATTERN.test(reference)) throw invalidRequestUri();
  const pushed = await ctx.auth.peekPushed(reference);
  if (!pushed || pushed.clientId !== clientId) throw invalidRequestUri();
  const params = new Map<string, string>();
  for (const [name, value] of pushed.params)
    if (name !== undefined && value !== undefined) params.set(name, value);
  return { reference, params, signIn: pushed.signIn ?? null };
}

/**
 * Where an unusable request_uri or request object (or a front-channel error found before the request's
 * own redirect URI is known) is reported: by redirect (OIDC's `invalid_request_uri` for an unknown
 * pushed request, else the error's own code) when the front channel names a redirect URI registered for
 * its client_id and errors may be redirected there (as for any authorization error), else the error page.
 */
export async function requestUriErrorResponse(
  ctx: OAuthContext,
  clientId: string,
  front: FormParams,
  error: unknown,
  authenticated: boolean,
): Promise<AuthorizationResponse> {
  // Outages (5xx) keep their own answer; only refusals of the request go to the client.
  if (!(error instanceof AuthorizationPageError) && !(error instanceof OAuthError && error.status < 500)) {
    throw error;
  }
  const local =
    error instanceof AuthorizationPageError
      ? error
      : new AuthorizationPageError(
          400,
          error.error === 'invalid_request_object' ? 'Invalid request object' : 'Request refused',
          `${error.error}: ${error.message}`,
        );
  const redirectUri = front.get('redirect_uri');
  if (redirectUri === undefined) throw local;
  let target: VerifiedRedirect;
  try {
    target = verifyRedirect(
      await ctx.clients.get(clientId),
      redirectUri,
      front.get('state'),
      front.get('response_mode'),
    );
  } catch {
    throw local;
  }
  if (!redirectsErrors(target, authenticated)) throw local;
  const reported = error instanceof OAuthError ? error : new OAuthError('invalid_request_uri', error.message);
  return errorResponse(target, ctx.issuer, reported, authenticated);
}

/** Uses the pushed request up; the error page when a concurrent request used it first. */
export async function usePushedRequest(ctx: OAuthContext, pushed: ResolvedPushedRequest): Promise<void> {
  if (!(await ctx.auth.takePushed(pushed.reference))) throw invalidRequestUri();
}

/**
 * Keeps the authorization request while the user signs in as `signIn` says: the pushed request under
 * its own reference, else the front channel's (`params`, validated) stored under a new one. Answers
 * the `request_uri` the sign-in page returns to.
 */
export async function holdForSignIn(
  ctx: OAuthContext,
  clientId: string,
  params: FormParams,
  pushed: ResolvedPushedRequest | null,
  signIn: SignInRequirement,
): Promise<string> {
  const until = ctx.clock.nowSecs() + PAR_INTERACTION_TTL_SECS;
  if (pushed) {
    if (!(await ctx.auth.holdPushed(pushed.reference, until, signIn))) throw invalidRequestUri();
    return `${REQUEST_URI_PREFIX}${pushed.reference}`;
  }
  const reference = newAuthorizationCode(ctx.config.tokenActorShards);
  await ctx.auth.savePushed(reference, { clientId, params: [...params], expiresAt: until, signIn });
  return `${REQUEST_URI_PREFIX}${reference}`;
}
