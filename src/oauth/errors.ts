/** OAuth 2.0 error responses (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2, RFC 7009 §2.2.1). */

/** RFC 6749 §4.1.2.1 and OIDC Core §3.1.2.6 codes that only travel back to the client by redirect. */
export type AuthorizationErrorCode =
  | 'unsupported_response_type'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  // OpenID Connect Core Unmet Authentication Requirements 1.0 §2 (an essential acr not met).
  | 'unmet_authentication_requirements';

/** The `error` codes this server puts on the wire. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'access_denied'
  | AuthorizationErrorCode
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'server_misconfigured'
  | 'service_unavailable'
  | 'server_error';

/** Base class: every OAuth error carries its wire code, HTTP status and a safe description. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Extra response headers (WWW-Authenticate, Retry-After, ...). */
  readonly headers: Record<string, string>;

  constructor(
    error: OAuthErrorCode,
    description: string,
    status = 400,
    headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = status;
    this.headers = headers;
  }

  /** The JSON body: `{error, error_description}`. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

/** The base of an error whose code and status are fixed: its constructor takes the description only. */
function plainError(error: OAuthErrorCode, status: number) {
  return class extends OAuthError {
    constructor(description: string) {
      super(error, description, status);
    }
  };
}

export class InvalidRequestError extends plainError('invalid_request', 400) {}

/**
 * RFC 6749 §5.2: 401 with a WWW-Authenticate challenge for the scheme the client tried
 * (Basic when it used the Authorization header).
 */
export class InvalidClientError extends OAuthError {
  constructor(description = 'client authentication failed', scheme: 'Basic' | 'Bearer' = 'Basic') {
    super('invalid_client', description, 401, { 'WWW-Authenticate': `${scheme} realm="oauth2"` });
  }
}

export class InvalidGrantError extends plainError('invalid_grant', 400) {}

export class UnauthorizedClientError extends plainError('unauthorized_client', 400) {}

export class UnsupportedGrantTypeError extends plainError('unsupported_grant_type', 400) {}

export class InvalidScopeError extends plainError('invalid_scope', 400) {}

/** RFC 8693 §2.2.2, RFC 8707 §2: an audience or resource the server will not issue a token for. */
export class InvalidTargetError extends plainError('invalid_target', 400) {}

/** RFC 6750 §3.1: a missing, malformed, expired or revoked Bearer token. */
export class InvalidTokenError extends OAuthError {
  constructor(description = 'the access token is invalid') {
    super('invalid_token', description, 401, {
      'WWW-Authenticate': `Bearer realm="oauth2", error="invalid_token", error_description="${quote(description)}"`,
    });
  }
}

/** RFC 6750 §3.1: a valid token without the scope the resource needs. */
export class InsufficientScopeError extends OAuthError {
  constructor(scope: string) {
    const description = `this resource needs scope ${scope}`;
    super('insufficient_scope', description, 403, {
      'WWW-Authenticate': `Bearer realm="oauth2", error="insufficient_scope", scope="${quote(scope)}"`,
    });
  }
}

/** RFC 6750 §3: a protected resource called without any credentials (no error code in the challenge). */
export class MissingBearerError extends OAuthError {
  constructor() {
    super('invalid_token', 'a Bearer access token is required', 401, {
      'WWW-Authenticate': 'Bearer realm="oauth2"',
    });
  }
}

export class InvalidRedirectUriError extends plainError('invalid_redirect_uri', 400) {}

export class InvalidClientMetadataError extends plainError('invalid_client_metadata', 400) {}

export class AccessDeniedError extends plainError('access_denied', 403) {}

/** RFC 6749 §4.1.2.1 and OIDC Core §3.1.2.6 errors that only travel back to the client by redirect. */
export class AuthorizationError extends OAuthError {
  constructor(error: AuthorizationErrorCode, description: string) {
    super(error, description, 400);
  }
}

export class NotFoundError extends OAuthError {
  constructor(description = 'not found') {
    super('not_found', description, 404);
  }
}

export class MethodNotAllowedError extends OAuthError {
  constructor(allow: string) {
    super('method_not_allowed', `method not allowed; use ${allow}`, 405, { Allow: allow });
  }
}

export class UnsupportedMediaTypeError extends OAuthError {
  constructor(expected: string) {
    super('invalid_request', `the request body must be ${expected}`, 400);
  }
}

export class PayloadTooLargeError extends OAuthError {
  constructor(limit: number) {
    super('invalid_request', `the request body is larger than ${limit} bytes`, 413);
  }
}

/** The server's configuration is unsafe or invalid; names the setting, never its value. */
export class ServerMisconfiguredError extends OAuthError {
  constructor(description: string) {
    super('server_misconfigured', description, 503, { 'Retry-After': '60' });
  }
}

export class ServiceUnavailableError extends OAuthError {
  constructor(description: string, retryAfterSecs = 5) {
    super('service_unavailable', description, 503, { 'Retry-After': String(retryAfterSecs) });
  }
}

function quote(value: string): string {
  return value.replace(/["\\]/g, '');
}

/** A rate limit refused the request; `headers` carry Retry-After and the RateLimit-* fields. */
export class TooManyRequestsError extends OAuthError {
  constructor(description: string, headers: Record<string, string>) {
    super('too_many_requests', description, 429, headers);
  }
}
