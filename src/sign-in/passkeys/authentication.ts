/**
 * WebAuthn Level 2 §7.2 authentication with a discoverable credential: the options name no credentials
 * (the authenticator offers the user's passkeys for this RP ID), user verification is required, and the
 * server finds the passkey by the credential id the assertion carries. The signature, challenge, origin,
 * RP ID and flags are checked by @simplewebauthn/server; the signature counter (step 21) and the user
 * handle are checked here, where the outcome is named.
 */
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import { fromBase64Url, utf8 } from '../../crypto/encoding';
import type { PasskeyRecord } from '../../storage/mfa';
import { CHALLENGE_TTL_SECS, challengeId } from './challenges';
import { PasskeyRefusedError, verifiedBy } from './refusal';
import { transportsOf, userHandle } from './registration';
import type { RelyingParty } from './relying-party';

/** The options for `navigator.credentials.get()`: no `allowCredentials`, so any passkey of this RP ID. */
export function authenticationOptions(
  rp: RelyingParty,
  challenge: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: utf8(challenge),
    timeout: CHALLENGE_TTL_SECS * 1000,
    userVerification: 'required',
  });
}

/**
 * The challenge id a response signed (from its `clientDataJSON`), before anything is verified: the
 * challenge is taken with it at once, so a response is tried once whatever its outcome.
 */
export function signedChallengeId(clientDataJSON: string): string | null {
  try {
    const clientData = decodeClientDataJSON(clientDataJSON);
    return typeof clientData.challenge === 'string' ? challengeId(clientData.challenge) : null;
  } catch {
    return null;
  }
}

/** What the assertion is checked against. */
export interface AuthenticationExpectation {
  rp: RelyingParty;
  /** The challenge as the browser received it (base64url). */
  challenge: string;
}

/** A verified assertion: the counter to store and the RFC 8176 `amr` values it stands for. */
export interface VerifiedAssertion {
  signCount: number;
  amr: string[];
}

/** Verifies an assertion by the stored `passkey`; PasskeyRefusedError names why it does not verify. */
export async function verifyAssertion(
  response: AuthenticationResponseJSON,
  passkey: PasskeyRecord,
  expected: AuthenticationExpectation,
): Promise<VerifiedAssertion> {
  checkUserHandle(response, passkey);
  const result = await verifiedBy(() =>
    verifyAuthenticationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.rp.origin,
      expectedRPID: expected.rp.id,
      // The counter is judged below (counterRegressed), where its failure is told apart from the rest.
      credential: {
        id: passkey.credentialId,
        publicKey: fromBase64Url(passkey.publicKey),
        counter: 0,
        transports: transportsOf(passkey.transports),
      },
      requireUserVerification: true,
    }),
  );
  const info = result.authenticationInfo;
  if (!result.verified) throw new PasskeyRefusedError('invalid_response', 'assertion not verified');
  if (counterRegressed(passkey.signCount, info.newCounter)) {
    throw new PasskeyRefusedError(
      'counter_regression',
      `signature counter ${info.newCounter} is not above the stored ${passkey.signCount}`,
    );
  }
  return { signCount: info.newCounter, amr: passkeyAmr(passkey.deviceType, info.userVerified) };
}

/**
 * WebAuthn Level 2 §7.2 step 21 (§6.1.1): when either the stored or the received counter is non-zero,
 * the received one must be greater; an authenticator that keeps no counter always sends 0.
 */
export function counterRegressed(stored: number, received: number): boolean {
  return (stored > 0 || received > 0) && received <= stored;
}

/**
 * RFC 8176 values of a passkey sign-in: `swk` for a synced (multi-device) credential, whose key lives in
 * software outside one device, else `hwk`; `user` when the authenticator verified the user; and `mfa`,
 * as possession of the key and the verification gesture (PIN or biometric) are two factors.
 */
export function passkeyAmr(deviceType: PasskeyRecord['deviceType'], userVerified: boolean): string[] {
  return [deviceType === 'multiDevice' ? 'swk' : 'hwk', ...(userVerified ? ['user', 'mfa'] : [])];
}

/** §7.2 step 6: a user handle, when sent, must be the one the passkey was registered for. */
function checkUserHandle(response: AuthenticationResponseJSON, passkey: PasskeyRecord): void {
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== userHandle(passkey.userId)) {
    throw new PasskeyRefusedError('invalid_response', 'the user handle does not match the passkey');
  }
}
