/** Why an upstream sign-in did not complete. None of these messages carries a token, code or secret. */

/**
 * The sign-in went wrong at or with the provider: the user is sent back to the login page with a message
 * chosen by `reason` (never the provider's own text). `detail` is for the log only.
 */
export class UpstreamSignInError extends Error {
  constructor(
    readonly reason: UpstreamFailure,
    readonly detail: string,
  ) {
    super(`upstream sign-in ${reason}: ${detail}`);
    this.name = 'UpstreamSignInError';
  }
}

/**
 * - `denied`: the user (or the provider's policy) refused (`error=access_denied` on the callback).
 * - `failed`: the provider answered an error, or something it sent did not validate.
 * - `unavailable`: the provider could not be reached in time, or its circuit breaker is open.
 * - `no_account`: signed in upstream, but no usable local account (disabled, denylisted, no e-mail).
 */
export type UpstreamFailure = 'denied' | 'failed' | 'unavailable' | 'no_account';

/**
 * A callback that cannot belong to a sign-in this browser started (missing, unknown, replayed or
 * another browser's `state`; a malformed query): answered with a 400 page, nothing is consumed.
 */
export class UpstreamCallbackError extends Error {
  constructor(readonly detail: string) {
    super(`invalid upstream callback: ${detail}`);
    this.name = 'UpstreamCallbackError';
  }
}
