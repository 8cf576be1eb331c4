/** DPoP settings (`OAUTH2_DPOP_*`, RFC 9449): server nonces and the accepted age of a proof. */
import { flagDefault, wholeNumber } from '../../config-fields';

export const DpopEnvShape = {
  /** RFC 9449 §8/§9: every proof must carry a fresh server nonce (`use_dpop_nonce` otherwise). */
  OAUTH2_DPOP_REQUIRE_NONCE: flagDefault(false),
  /** How old (by `iat`) a proof may be; 60 s of clock skew into the future is always allowed. */
  OAUTH2_DPOP_PROOF_MAX_AGE_SECS: wholeNumber(300, 10, 3600),
};

export interface DpopConfig {
  requireNonce: boolean;
  proofMaxAgeSecs: number;
}

export function toDpopConfig(env: {
  OAUTH2_DPOP_REQUIRE_NONCE: boolean;
  OAUTH2_DPOP_PROOF_MAX_AGE_SECS: number;
}): DpopConfig {
  return { requireNonce: env.OAUTH2_DPOP_REQUIRE_NONCE, proofMaxAgeSecs: env.OAUTH2_DPOP_PROOF_MAX_AGE_SECS };
}
