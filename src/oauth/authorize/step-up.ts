/**
 * Step-up to a multi-factor sign-in (docs/mfa.md): whether an authorization request asks for ACR_MFA,
 * and what to do when the session signed in with one factor. `acr_values` (or the client's registered
 * `default_acr_values`) ask voluntarily (OIDC Core §3.1.2.1); an essential `acr` claim naming only MFA
 * (§5.5.1.1) or a client registered with `require_mfa` demand it, and are refused with
 * `unmet_authentication_requirements` (OpenID Connect Core Unmet Authentication Requirements 1.0) when
 * the user has no second factor to step up with.
 */
import type { ClientRecord } from '../../storage/ports';
import { AuthorizationError } from '../errors';
import type { OAuthContext } from '../ports';
import { ACR_MFA, acrForAmr, essentialAcr, meetsEssentialAcr } from './claims';
import type { AuthorizationRequest } from './request';

/** How strongly a request asks for a multi-factor sign-in. */
export type MfaDemand = 'none' | 'voluntary' | 'required';

/** What the authorization endpoint does about it for the signed-in user. */
export type StepUp = 'proceed' | 'sign-in-again';

export function mfaDemand(request: AuthorizationRequest, client: ClientRecord): MfaDemand {
  if (client.metadata.require_mfa === true) return 'required';
  const wanted = essentialAcr(request.claims);
  // Essential, and only MFA meets it: a password sign-in's acr would not.
  if (
    wanted !== null &&
    meetsEssentialAcr(ACR_MFA, wanted) &&
    !meetsEssentialAcr(acrForAmr(['pwd']), wanted)
  ) {
    return 'required';
  }
  const asked = request.acrValues.length > 0 ? request.acrValues : defaultAcrValues(client);
  return asked.includes(ACR_MFA) ? 'voluntary' : 'none';
}

function defaultAcrValues(client: ClientRecord): string[] {
  const values = client.metadata.default_acr_values;
  return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string') : [];
}

/**
 * A session without `mfa` whose request asks for it: sign in again (the password form, then the user's
 * second factor) when the user has one and has not just signed in again for this very request; else go
 * on with the acr the session has, unless MFA is required (then unmet_authentication_requirements).
 */
export async function stepUp(
  ctx: OAuthContext,
  demand: MfaDemand,
  user: { userId: string; amr: readonly string[] },
  signedInAgain: boolean,
): Promise<StepUp> {
  if (demand === 'none' || user.amr.includes('mfa')) return 'proceed';
  if (!signedInAgain && (await ctx.storage.mfa.hasSecondFactor(user.userId))) return 'sign-in-again';
  if (demand === 'required') {
    throw new AuthorizationError(
      'unmet_authentication_requirements',
      'this request needs a multi-factor sign-in, which the user cannot make',
    );
  }
  return 'proceed';
}
