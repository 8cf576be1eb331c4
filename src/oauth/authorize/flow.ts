/**
 * The authorization endpoint's decisions (RFC 6749 §4.1, OIDC Core §3.1.2): sign-in needed, consent
 * needed, or a code issued; and the consent decision that follows. Returns outcomes; the Worker renders them.
 */
import type { ClientRecord, UserRole } from '../../storage/ports';
import type { SignInRequirement } from '../authorization-state';
import { AccessDeniedError, AuthorizationError, InvalidRequestError, OAuthError } from '../errors';
import { type FormParams, required } from '../form';
import {
  holdForSignIn,
  REQUEST_URI_PREFIX,
  type ResolvedPushedRequest,
  requestUriErrorResponse,
  requiresPushedRequests,
  resolvePushedRequest,
  usePushedRequest,
} from '../par';
import type { OAuthContext } from '../ports';
import { requestedResources, scopeTarget } from '../resources/indicators';
import { grantableScopes, hasAdminScope } from '../scopes/admin-scope';
import { newAuthorizationCode, newGrantId, newRequestId, REQUEST_ID_PATTERN } from '../sharded-id';
import { acrForAmr, essentialAcr, meetsEssentialAcr, requestedSubject, signInClaims } from './claims';
import {
  AuthorizationPageError,
  type AuthorizationResponse,
  authorizationResponse,
  errorResponse,
  type VerifiedRedirect,
  verifyRedirect,
} from './redirect';
import { type AuthorizationRequest, validateAuthorizationRequest } from './request';
import { requestObjectParams, requiresSignedRequestObject } from './request-object';
import { mfaDemand, stepUp } from './step-up';

/** The signed-in user, as the session knows them. */
export interface AuthenticatedUser {
  userId: string;
  role: UserRole;
  authTime: number;
  /** The session's public id (OIDC `sid`). */
  sid: string;
  /** RFC 8176 `amr` of the session's sign-in (empty: nothing asserted, e.g. a federated sign-in). */
  amr: readonly string[];
}

export type AuthorizeOutcome =
  | AuthorizationResponse
  /**
   * Send the user to sign in, then back to `/oauth/authorize` with `client_id` and `requestUri`: the
   * request is held server-side with what the sign-in must satisfy.
   */
  | {
      kind: 'login';
      forceLogin: boolean;
      /** The sign-in is a step-up to a multi-factor one (the page says how to make it). */
      stepUp: boolean;
      loginHint: string | null;
      clientId: string;
      requestUri: string;
    }
  | { kind: 'consent'; requestId: string; client: ClientRecord; scopes: string[] };

/** Pending consent requests live this long. */
const CONSENT_TTL_SECS = 600;

export async function authorize(
  ctx: OAuthContext,
  params: FormParams,
  user: AuthenticatedUser | null,
): Promise<AuthorizeOutcome> {
  const clientId = params.get('client_id');
  if (clientId === undefined)
    throw new AuthorizationPageError(400, 'Invalid request', 'client_id is missing.');
  // RFC 9126 §4: with a request_uri, only the pushed parameters count; RFC 9101 §6.3: with a request
  // object, only its parameters.
  let pushed: ResolvedPushedRequest | null = null;
  let fromObject: FormParams | null = null;
  if (params.has('request_uri')) {
    try {
      if (params.has('request')) {
        throw new InvalidRequestError('request and request_uri must not both be sent (RFC 9101 §5)');
      }
      // RFC 9101 §5.2: only this server's own (pushed) request_uri values are dereferenced.
      if (!params.get('request_uri')?.startsWith(REQUEST_URI_PREFIX)) {
        throw new AuthorizationError(
          'request_uri_not_supported',
          'only pushed request_uri values are supported',
        );
      }
      pushed = await resolvePushedRequest(ctx, clientId, params);
    } catch (error) {
      return await requestUriErrorResponse(ctx, clientId, params, error, user !== null);
    }
  } else if (params.has('request')) {
    const client = await ctx.clients.get(clientId);
    if (!client?.enabled) {
      throw new AuthorizationPageError(400, 'Unknown client', 'The client_id is not registered.');
    }
    try {
      fromObject = await requestObjectParams(ctx, client, params);
    } catch (error) {
      return await requestUriErrorResponse(ctx, clientId, params, error, user !== null);
    }
  }
  const source = pushed?.params ?? fromObject ?? params;
  const target = verifyRedirect(
    await ctx.clients.get(clientId),
    source.get('redirect_uri'),
    source.get('state'),
    source.get('response_mode'),
  );
  try {
    if (!pushed && requiresPushedRequests(ctx.config, target.client)) {
      throw new InvalidRequestError('this client must push its authorization requests (RFC 9126)');
    }
    if (!pushed && !fromObject && requiresSignedRequestObject(target.client)) {
      throw new InvalidRequestError(
        'this client must send its authorization requests as signed request objects',
      );
    }
    const request = validateAuthorizationRequest(source, target.client, ctx.config.scopes);
    // RFC 8707 §2: an unknown or malformed resource is invalid_target, by redirect; scopes of an API
    // make it the resource when none is named.
    const { scopes, resources } = scopeTarget(
      request.scope,
      source.get('scope') !== undefined,
      requestedResources(source, ctx.issuer, ctx.config),
      ctx.config.scopes,
    );
    request.scope = scopes;
    const now = ctx.clock.nowSecs();
    const signInFirst = !user || mustSignIn(request, user, now, pushed?.signIn ?? null);
    const steppingUp =
      !!user && !signInFirst && (await mustStepUp(ctx, request, target.client, user, pushed));
    if (signInFirst || steppingUp) {
      if (request.prompt.has('none')) throw new AuthorizationError('login_required', 'the user must sign in');
      const signIn = { after: now, replacesSid: user?.sid ?? null };
      return {
        kind: 'login',
        forceLogin: user !== null,
        stepUp: steppingUp,
        loginHint: request.loginHint,
        clientId,
        requestUri: await holdForSignIn(ctx, clientId, source, pushed, signIn),
      };
    }
    checkSignInClaims(request, user);
    if (pushed) await usePushedRequest(ctx, pushed);
    // RFC 6749 §3.3: `admin` asked of anyone but an administrator is narrowed away, not refused.
    request.scope = await grantableScopes(ctx, request.scope, user.userId);
    if (await needsConsent(ctx, target.client, user, request)) {
      if (request.prompt.has('none'))
        throw new AuthorizationError('consent_required', 'the user must consent');
      return pendConsent(ctx, target, user, request, resources);
    }
    return await issueCode(ctx, target, user, { ...request, resources });
  } catch (error) {
    if (error instanceof OAuthError) {
      // An answer to the client ends the pushed request too.
      if (pushed) await ctx.auth.takePushed(pushed.reference);
      return errorResponse(target, ctx.issuer, error, user !== null);
    }
    throw error;
  }
}

/**
 * prompt=login / select_account and max_age (OIDC Core §3.1.2.1), unless the user signed in anew since
 * this server sent them to sign in for this very request (`signIn`, held server-side).
 */
function mustSignIn(
  request: AuthorizationRequest,
  user: AuthenticatedUser,
  now: number,
  signIn: SignInRequirement | null,
): boolean {
  if (signedInAgain(user, signIn)) return false;
  if (request.prompt.has('login') || request.prompt.has('select_account')) return true;
  return request.maxAge !== null && now - user.authTime > request.maxAge;
}

/** Whether the user signed in anew since this server sent them to sign in for this very request. */
function signedInAgain(user: AuthenticatedUser, signIn: SignInRequirement | null): boolean {
  return signIn !== null && user.authTime >= signIn.after && user.sid !== signIn.replacesSid;
}

/**
 * A request asking for a multi-factor sign-in (step-up.ts) in a session with one factor, of a user who
 * has a second one: they sign in again, password then second factor. Throws when MFA is required and the
 * user cannot make it.
 */
async function mustStepUp(
  ctx: OAuthContext,
  request: AuthorizationRequest,
  client: ClientRecord,
  user: AuthenticatedUser,
  pushed: ResolvedPushedRequest | null,
): Promise<boolean> {
  const again = signedInAgain(user, pushed?.signIn ?? null);
  return (await stepUp(ctx, mfaDemand(request, client), user, again)) === 'sign-in-again';
}

/**
 * OIDC Core §5.5.1: a request naming a `sub` gets a positive answer only for that user; §5.5.1.1: an
 * essential `acr` the sign-in does not meet fails the authentication (OpenID Connect Core Unmet
 * Authentication Requirements 1.0: `unmet_authentication_requirements`). `acr_values` alone is voluntary.
 */
function checkSignInClaims(request: AuthorizationRequest, user: AuthenticatedUser): void {
  const sub = requestedSubject(request.claims);
  if (sub !== null && sub !== user.userId) {
    throw new AuthorizationError('login_required', 'the signed-in user is not the requested subject');
  }
  const wanted = essentialAcr(request.claims);
  if (wanted !== null && !meetsEssentialAcr(acrForAmr(user.amr), wanted)) {
    throw new AuthorizationError(
      'unmet_authentication_requirements',
      'the sign-in does not meet the essential acr requested',
    );
  }
}

/** The sign-in facts a code (and the ID tokens of its grant) carries. */
function signInFacts(user: AuthenticatedUser): { amr?: string[]; acr?: string } {
  return signInClaims(user.amr);
}

async function needsConsent(
  ctx: OAuthContext,
  client: ClientRecord,
  user: AuthenticatedUser,
  request: AuthorizationRequest,
): Promise<boolean> {
  // Administration is never implied: the page naming it is shown every time, for every client.
  if (hasAdminScope(request.scope)) return true;
  if (client.firstParty) return false;
  if (request.prompt.has('consent')) return true;
  return !(await ctx.consents.covers(user.userId, client.clientId, request.scope));
}

async function pendConsent(
  ctx: OAuthContext,
  target: VerifiedRedirect,
  user: AuthenticatedUser,
  request: AuthorizationRequest,
  resources: string[],
): Promise<AuthorizeOutcome> {
  const requestId = newRequestId(ctx.config.tokenActorShards);
  await ctx.auth.savePending(requestId, {
    userId: user.userId,
    clientId: target.client.clientId,
    redirectUri: target.redirectUri,
    state: target.state,
    codeChallenge: request.codeChallenge,
    scope: request.scope.join(' '),
    nonce: request.nonce,
    authTime: user.authTime,
    sid: user.sid,
    ...signInFacts(user),
    expiresAt: ctx.clock.nowSecs() + CONSENT_TTL_SECS,
    ...(resources.length > 0 ? { resources } : {}),
    ...(request.dpopJkt !== null ? { dpopJkt: request.dpopJkt } : {}),
    ...(target.responseMode === 'form_post' ? { responseMode: target.responseMode } : {}),
  });
  return { kind: 'consent', requestId, client: target.client, scopes: request.scope };
}

async function issueCode(
  ctx: OAuthContext,
  target: VerifiedRedirect,
  user: AuthenticatedUser,
  grant: {
    scope: string[];
    codeChallenge: string;
    nonce: string | null;
    resources?: string[] | undefined;
    dpopJkt?: string | null | undefined;
  },
): Promise<AuthorizationResponse> {
  const shards = ctx.config.tokenActorShards;
  const code = newAuthorizationCode(shards);
  const grantId = newGrantId(shards);
  await ctx.auth.saveCode(code, {
    grantId,
    clientId: target.client.clientId,
    userId: user.userId,
    redirectUri: target.redirectUri,
    codeChallenge: grant.codeChallenge,
    scope: grant.scope.join(' '),
    nonce: grant.nonce,
    authTime: user.authTime,
    sid: user.sid,
    ...signInFacts(user),
    expiresAt: ctx.clock.nowSecs() + ctx.config.authorizationCodeTtlSecs,
    ...(grant.resources?.length ? { resources: grant.resources } : {}),
    ...(grant.dpopJkt ? { dpopJkt: grant.dpopJkt } : {}),
  });
  ctx.events.publish({
    type: 'authorization_code_created',
    clientId: target.client.clientId,
    userId: user.userId,
    metadata: { scope: grant.scope.join(' '), grant_id: grantId },
  });
  return authorizationResponse(target, ctx.issuer, { code });
}

/** The consent form's POST: approve issues the code, deny returns access_denied (RFC 6749 §4.1.2.1). */
export async function decideConsent(
  ctx: OAuthContext,
  params: FormParams,
  user: AuthenticatedUser,
): Promise<AuthorizationResponse> {
  const requestId = required(params, 'request_id');
  const decision = required(params, 'decision');
  if (!REQUEST_ID_PATTERN.test(requestId) || (decision !== 'approve' && decision !== 'deny')) {
    throw new AuthorizationPageError(400, 'Invalid request', 'The consent form was not understood.');
  }
  const pending = await ctx.auth.takePending(requestId, user.userId);
  if (!pending) {
    throw new AuthorizationPageError(
      400,
      'Request expired',
      'This request is no longer valid; start again from the app.',
    );
  }
  const target = verifyRedirect(
    await ctx.clients.get(pending.clientId),
    pending.redirectUri,
    pending.state ?? undefined,
    pending.responseMode,
  );
  if (decision === 'deny') {
    return errorResponse(target, ctx.issuer, new AccessDeniedError('the user denied the request'), true);
  }
  const scope = pending.scope.split(' ').filter(Boolean);
  await ctx.consents.grant(user.userId, pending.clientId, scope);
  return issueCode(ctx, target, user, {
    scope,
    codeChallenge: pending.codeChallenge,
    nonce: pending.nonce,
    resources: pending.resources,
    dpopJkt: pending.dpopJkt,
  });
}
