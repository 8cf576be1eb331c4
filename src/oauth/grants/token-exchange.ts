/**
 * RFC 8693 OAuth 2.0 Token Exchange: a confidential client trades a token this server issued (an access
 * token, or its own refresh token) for an access token with the same subject, an audience and scope that
 * may only narrow, and, with an actor token, an `act` claim (§4.1) nested over the subject's own `act`.
 * A `may_act` claim in the subject token (§4.4) names the only party that may act. Every problem with the
 * subject or actor token is `invalid_request` (§2.2.2); an audience or resource outside the subject
 * token's is `invalid_target`; a wider scope is `invalid_scope`. No refresh token is issued (§2.2.1).
 */
import { sha256 } from '../../crypto/hash';
import type { ClientRecord } from '../../storage/ports';
import { InvalidRequestError, InvalidScopeError, InvalidTargetError } from '../errors';
import { tokenCreated } from '../events';
import { allValues, type FormParams, required } from '../form';
import type { ActClaim, OAuthContext } from '../ports';
import { resourceProblem } from '../resources/indicators';
import { scopesForUser } from '../scopes/admin-scope';
import { parseScope } from '../scopes/scope';
import { type AccessTokenInfo, issueAccessToken, resolveAccessToken } from '../tokens/access-token';
import { refreshTokenGrantId } from '../tokens/refresh-token';
import type { TokenGrant, TokenResponse } from './token-response';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3 token type identifiers this server accepts. */
export const TOKEN_TYPES = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
} as const;

/** Actors nested in one `act` claim at most (the issued token's own actor included). */
const MAX_ACT_DEPTH = 8;

/** What the exchange starts from: the subject's identity, rights and the grant they belong to. */
interface Subject {
  grantId: string;
  sub: string;
  clientId: string;
  scope: string[];
  aud: string[];
  /** The issued token never outlives the subject token (or its refresh-token family). */
  notAfter: number;
  act: ActClaim | undefined;
  mayAct: Record<string, unknown> | undefined;
}

export const tokenExchangeGrant: TokenGrant = async (ctx, client, params) => {
  const requestedType = params.get('requested_token_type');
  if (requestedType !== undefined && requestedType !== TOKEN_TYPES.accessToken) {
    throw new InvalidRequestError('requested_token_type: only access tokens are issued');
  }
  const subject = await readSubject(ctx, client, params);
  const actor = await readActor(ctx, client, params, subject);
  const audience = narrowAudience(params, subject.aud);
  const scope = await narrowScope(ctx, params, subject);
  const act = actor ? nestAct(actor, subject.act) : subject.act;

  const issued = await issueAccessToken(ctx, {
    grantId: subject.grantId,
    clientId: client.clientId,
    sub: subject.sub,
    scope,
    audience,
    act,
    notAfter: subject.notAfter,
  });
  const response: TokenResponse = {
    access_token: issued.token,
    issued_token_type: TOKEN_TYPES.accessToken,
    token_type: 'Bearer',
    expires_in: issued.info.exp - issued.info.iat,
  };
  if (issued.info.scope) response.scope = issued.info.scope;
  const event = tokenCreated(issued.info, TOKEN_EXCHANGE_GRANT, {
    userId: subject.sub === subject.clientId ? null : subject.sub,
  });
  event.metadata = {
    ...event.metadata,
    subject_client_id: subject.clientId,
    ...(act ? { actor: act.sub, actor_client_id: act.client_id ?? null } : {}),
  };
  ctx.events.publish(event);
  return response;
};

/** The subject token: an access token visible to the client, or the client's own current refresh token. */
async function readSubject(ctx: OAuthContext, client: ClientRecord, params: FormParams): Promise<Subject> {
  const token = required(params, 'subject_token');
  const type = required(params, 'subject_token_type');
  if (type === TOKEN_TYPES.accessToken) {
    const info = await visibleAccessToken(ctx, client, token, 'subject_token');
    return {
      grantId: info.grantId,
      sub: info.sub,
      clientId: info.clientId,
      scope: info.scope.split(' ').filter(Boolean),
      aud: info.aud,
      notAfter: info.exp,
      act: info.act,
      mayAct: info.mayAct,
    };
  }
  if (type === TOKEN_TYPES.refreshToken) return refreshSubject(ctx, client, token);
  throw new InvalidRequestError('subject_token_type: not supported (access_token or refresh_token)');
}

/** A live access token issued to the client or naming it in `aud` (as introspection shows it). */
async function visibleAccessToken(
  ctx: OAuthContext,
  client: ClientRecord,
  token: string,
  name: 'subject_token' | 'actor_token',
): Promise<AccessTokenInfo> {
  const info = await resolveAccessToken(ctx, token);
  if (!info || (info.clientId !== client.clientId && !info.aud.includes(client.clientId))) {
    throw new InvalidRequestError(`${name} is not an active access token for this client`);
  }
  return info;
}

/** A refresh token is a credential of its own client only, and only while it is current. */
async function refreshSubject(ctx: OAuthContext, client: ClientRecord, token: string): Promise<Subject> {
  const grantId = refreshTokenGrantId(token);
  const state = grantId ? await ctx.tokens.findRefreshToken(grantId, await sha256(token)) : null;
  if (!grantId || !state?.current || state.family.clientId !== client.clientId) {
    throw new InvalidRequestError('subject_token is not an active refresh token of this client');
  }
  return {
    grantId,
    sub: state.family.userId,
    clientId: state.family.clientId,
    scope: state.family.scope.split(' ').filter(Boolean),
    aud: [state.family.clientId],
    notAfter: state.family.expiresAt,
    act: undefined,
    mayAct: undefined,
  };
}

/** The actor token (§2.1: actor_token_type exactly when actor_token), checked against `may_act` (§4.4). */
async function readActor(
  ctx: OAuthContext,
  client: ClientRecord,
  params: FormParams,
  subject: Subject,
): Promise<AccessTokenInfo | null> {
  const token = params.get('actor_token');
  const type = params.get('actor_token_type');
  if (token === undefined) {
    if (type !== undefined) throw new InvalidRequestError('actor_token_type is sent without actor_token');
    if (subject.mayAct) throw new InvalidRequestError('the subject token names who may act (may_act)');
    return null;
  }
  if (type === undefined) throw new InvalidRequestError('missing required parameter actor_token_type');
  if (type !== TOKEN_TYPES.accessToken) {
    throw new InvalidRequestError('actor_token_type: not supported (access_token)');
  }
  const actor = await visibleAccessToken(ctx, client, token, 'actor_token');
  if (subject.mayAct && !mayAct(ctx, subject.mayAct, actor)) {
    throw new InvalidRequestError('the actor is not the one the subject token allows to act (may_act)');
  }
  if (actDepth(subject.act) >= MAX_ACT_DEPTH - 1) {
    throw new InvalidRequestError('the delegation chain of the subject token is too long');
  }
  return actor;
}

/** `may_act` must name the actor's `sub`; `client_id` and `iss`, when present, must match too. */
function mayAct(ctx: OAuthContext, allowed: Record<string, unknown>, actor: AccessTokenInfo): boolean {
  if (typeof allowed.sub !== 'string' || allowed.sub !== actor.sub) return false;
  if (allowed.client_id !== undefined && allowed.client_id !== actor.clientId) return false;
  return allowed.iss === undefined || allowed.iss === ctx.issuer;
}

function actDepth(act: ActClaim | undefined): number {
  let depth = 0;
  for (let current = act; current; current = current.act) depth += 1;
  return depth;
}

/** §4.1: the new actor, with the subject token's actor (the earlier delegation) nested inside. */
function nestAct(actor: AccessTokenInfo, prior: ActClaim | undefined): ActClaim {
  const act: ActClaim = { sub: actor.sub, client_id: actor.clientId };
  if (prior) act.act = prior;
  return act;
}

/**
 * `audience` (a logical name: a client_id here) and each `resource` (RFC 8707: an absolute URI, may
 * repeat) must be among the subject token's audiences; by default the issued token keeps them all.
 */
function narrowAudience(params: FormParams, subjectAud: string[]): string[] {
  const resources = [...new Set(allValues(params, 'resource'))];
  for (const resource of resources) {
    const problem = resourceProblem(resource);
    if (problem) throw new InvalidTargetError(`resource ${problem}`);
  }
  const audience = params.get('audience');
  const wanted = [...(audience === undefined ? [] : [audience]), ...resources];
  if (wanted.length === 0) return subjectAud;
  for (const target of wanted) {
    if (!subjectAud.includes(target)) {
      throw new InvalidTargetError('the audience or resource is not within the subject token');
    }
  }
  return [...new Set(wanted)];
}

/**
 * The requested scope must be within the subject token's (invalid_scope otherwise); by default the
 * subject's. The subject must still exist and be enabled (a user, or a client acting for itself);
 * `admin` is dropped for a user who is no longer an administrator (as at refresh).
 */
async function narrowScope(ctx: OAuthContext, params: FormParams, subject: Subject): Promise<string[]> {
  const requested = parseScope(params.get('scope'));
  const wider = requested.filter((scope) => !subject.scope.includes(scope));
  if (wider.length > 0)
    throw new InvalidScopeError(`scope is not within the subject token: ${wider.join(' ')}`);
  const scope = requested.length > 0 ? requested : subject.scope;
  if (subject.sub === subject.clientId) return scope;
  const user = await ctx.storage.users.getById(subject.sub);
  if (user) {
    if (!user.enabled) throw new InvalidRequestError('the user of the subject token is disabled');
    return scopesForUser(scope, user, ctx.config);
  }
  // A client acting for itself, whose token another client (its audience) exchanged before.
  if ((await ctx.clients.get(subject.sub))?.enabled) return scope;
  throw new InvalidRequestError('the subject of the subject token no longer exists');
}
