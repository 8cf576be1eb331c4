/** Why a WebAuthn ceremony was refused: for events and logs only; the browser gets one generic answer. */

export type PasskeyRefusalReason =
  /** The signed challenge is not one this server holds (unknown, used, expired, or another ceremony's). */
  | 'unknown_challenge'
  /** No stored passkey has this credential id. */
  | 'unknown_credential'
  /** The response fails verification (origin, RP ID, flags, signature, attestation, user handle). */
  | 'invalid_response'
  /** WebAuthn Level 2 §7.2 step 21: the signature counter did not grow (a possibly cloned authenticator). */
  | 'counter_regression';

export class PasskeyRefusedError extends Error {
  constructor(
    readonly reason: PasskeyRefusalReason,
    detail: string,
  ) {
    super(detail);
    this.name = 'PasskeyRefusedError';
  }
}

/** The result of a verifier's call, or PasskeyRefusedError(`invalid_response`) with what it threw. */
export async function verifiedBy<T>(verification: () => Promise<T>): Promise<T> {
  try {
    return await verification();
  } catch (error) {
    throw new PasskeyRefusedError('invalid_response', String(error));
  }
}
