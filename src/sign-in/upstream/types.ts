/** What an upstream flow is given and what it yields. */

/** The account the provider vouched for. */
export interface UpstreamProfile {
  /** Stable id at the provider (`sub`; GitHub's numeric user id). */
  subject: string;
  email: string | null;
  /** Only true when the provider says so (`email_verified: true`, GitHub's verified primary e-mail). */
  emailVerified: boolean;
  name: string | null;
  /** A username suggestion (`preferred_username`, GitHub's `login`). */
  preferredUsername: string | null;
}

/** Building the authorization redirect. */
export interface StartParams {
  state: string;
  nonce: string;
  /** BASE64URL(SHA-256(code_verifier)) (RFC 7636 S256). */
  codeChallenge: string;
  redirectUri: string;
}

/** The request parameters of an authorization redirect, in the order they are sent. */
export interface AuthorizationQuery {
  response_type?: 'code';
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string;
  nonce?: string;
}

/**
 * The provider's authorization endpoint with `query` and the PKCE S256 challenge (RFC 6749 §4.1.1,
 * RFC 7636 §4.3).
 */
export function authorizationUrl(endpoint: string, query: AuthorizationQuery, params: StartParams): string {
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  url.searchParams.set('code_challenge', params.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.href;
}

/** Redeeming the callback's code. */
export interface FinishParams {
  code: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  /** The callback's RFC 9207 `iss` parameter, when present. */
  callbackIss: string | null;
  nowMs: number;
}

/** Bounds on what is accepted from a provider. */
export const MAX_SUBJECT_LENGTH = 255;
export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 200;

/** A trimmed non-empty string of at most `max` characters without control characters, else null. */
export function cleanText(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text.length === 0 || text.length > max) return null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return null;
  }
  return text;
}

/** An e-mail address as far as it matters here: one `@`, something on both sides, no spaces. */
export function cleanEmail(value: unknown): string | null {
  const text = cleanText(value, MAX_EMAIL_LENGTH);
  return text !== null && /^[^\s@]+@[^\s@]+$/.test(text) ? text : null;
}
