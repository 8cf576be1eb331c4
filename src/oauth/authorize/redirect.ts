/**
 * Where an authorization response may go. A `VerifiedRedirect` is only made once the client is known
 * and the redirect URI is proven registered (RFC 6749 §4.1.2.1, RFC 9700 §4.1): before that, errors
 * are shown on our own error page, never redirected. A registered URI is not yet a trusted one: until
 * the user has authenticated, errors go only to clients an administrator registered (RFC 9700 §4.11.2).
 * Every response carries `iss` (RFC 9207), by redirect (`response_mode=query`) or by an auto-submitting
 * form POSTed to the redirect URI (`response_mode=form_post`).
 */
import type { ClientRecord } from '../../storage/ports';
import type { OAuthError } from '../errors';
import { isRegisteredRedirectUri } from '../redirect-uri';
import { registeredItself } from '../registration/provenance';

declare const verified: unique symbol;

/** How the authorization response travels (OAuth 2.0 Multiple Response Type Encoding Practices, Form Post). */
export type ResponseMode = 'query' | 'form_post';
export const RESPONSE_MODES: readonly ResponseMode[] = ['query', 'form_post'];

export interface VerifiedRedirect {
  readonly [verified]: true;
  readonly client: ClientRecord;
  readonly redirectUri: string;
  readonly state: string | null;
  /** An unknown requested mode reads as `query` here; the request validation refuses it (invalid_request). */
  readonly responseMode: ResponseMode;
}

/**
 * The authorization response: a redirect (query mode), or the parameters the browser must POST to the
 * redirect URI in an auto-submitting form (form_post mode), which the Worker renders.
 */
export type AuthorizationResponse =
  | { kind: 'redirect'; location: string }
  | { kind: 'form_post'; action: string; fields: [string, string][] };

/** The request cannot be trusted to redirect: render an error page with this status and text. */
export class AuthorizationPageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    description: string,
  ) {
    super(description);
    this.name = 'AuthorizationPageError';
  }
}

const MAX_STATE_LENGTH = 4096;

/** Proves the redirect URI; throws AuthorizationPageError otherwise. */
export function verifyRedirect(
  client: ClientRecord | null,
  presented: string | undefined,
  state: string | undefined,
  responseMode?: string | undefined,
): VerifiedRedirect {
  if (!client?.enabled)
    throw new AuthorizationPageError(400, 'Unknown client', 'The client_id is not registered.');
  const redirectUri = presented ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
  if (redirectUri === undefined) {
    throw new AuthorizationPageError(400, 'Missing redirect_uri', 'This client must name its redirect_uri.');
  }
  if (!isRegisteredRedirectUri(client.redirectUris, redirectUri)) {
    throw new AuthorizationPageError(
      400,
      'Unregistered redirect URI',
      'The redirect_uri is not registered for this client, so the error cannot be returned to it.',
    );
  }
  if (state !== undefined && state.length > MAX_STATE_LENGTH) {
    throw new AuthorizationPageError(
      400,
      'Invalid request',
      `state is longer than ${MAX_STATE_LENGTH} characters.`,
    );
  }
  return {
    client,
    redirectUri,
    state: state ?? null,
    responseMode: responseMode === 'form_post' ? 'form_post' : 'query',
  } as VerifiedRedirect;
}

/**
 * The response parameters plus `state` and `iss`: appended to the redirect URI (query mode), or as the
 * fields of the form POSTed to it (form_post mode).
 */
export function authorizationResponse(
  target: VerifiedRedirect,
  issuer: string,
  params: Record<string, string>,
): AuthorizationResponse {
  const fields: [string, string][] = Object.entries(params);
  if (target.state !== null) fields.push(['state', target.state]);
  fields.push(['iss', issuer]);
  if (target.responseMode === 'form_post') {
    return { kind: 'form_post', action: target.redirectUri, fields };
  }
  const url = new URL(target.redirectUri);
  for (const [name, value] of fields) url.searchParams.append(name, value);
  return { kind: 'redirect', location: url.toString() };
}

/**
 * Whether an error may be redirected to the client. Before the user has authenticated, anyone can
 * send a browser to a crafted authorization request: a client that registered itself (open
 * registration, a client ID metadata document) chose its redirect URIs with nobody vouching for
 * them, and would make this server an open redirector to them (RFC 9700 §4.11.2).
 */
export function redirectsErrors(target: VerifiedRedirect, authenticated: boolean): boolean {
  return authenticated || !registeredItself(target.client);
}

/** The error response to the client, or (when it may not be sent there) AuthorizationPageError thrown. */
export function errorResponse(
  target: VerifiedRedirect,
  issuer: string,
  error: OAuthError,
  authenticated: boolean,
): AuthorizationResponse {
  if (!redirectsErrors(target, authenticated)) {
    throw new AuthorizationPageError(400, 'Request refused', `${error.error}: ${error.message}`);
  }
  return authorizationResponse(target, issuer, { error: error.error, error_description: error.message });
}
