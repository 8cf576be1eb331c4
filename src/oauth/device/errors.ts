/** RFC 8628 §3.5 device access token error responses (HTTP 400, like every RFC 6749 §5.2 error). */
import { OAuthError } from '../errors';

/** The user has not yet approved or denied the request: keep polling at the interval. */
export class AuthorizationPendingError extends OAuthError {
  constructor() {
    super('authorization_pending', 'the user has not yet approved the request', 400);
  }
}

/** Still pending, and the device polled too fast: from now on it must wait `interval` seconds. */
export class SlowDownError extends OAuthError {
  constructor(interval: number) {
    super('slow_down', `polling too fast; wait at least ${interval} seconds between requests`, 400);
  }
}

/** The device code expired before the user decided: start a new device authorization. */
export class ExpiredTokenError extends OAuthError {
  constructor() {
    super('expired_token', 'the device code has expired', 400);
  }
}

/** The user denied the request (400 at the token endpoint, unlike the 403 AccessDeniedError of pages). */
export class DeviceAccessDeniedError extends OAuthError {
  constructor() {
    super('access_denied', 'the user denied the request', 400);
  }
}
