/**
 * The OpenID Connect client metadata a registration may carry, as registration validates it: the
 * algorithms ID tokens are signed with (OIDC Registration 1.0 §2 `id_token_signed_response_alg`) and
 * where logout tokens may be sent (Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`). Kept in
 * src/oauth because the registration schema needs them and src/oauth never imports src/oidc; src/oidc
 * (discovery, ID tokens, back-channel logout) builds on these.
 */
import { outboundUrlProblem, REGISTRATION_POLICY } from '../../outbound/policy';

/** The algorithms of ID tokens (and back-channel logout tokens): RS256 by default, or ES256. */
export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;

/**
 * Why a URI may not be registered to receive logout tokens, or null when it may: §2.2 (absolute, no
 * fragment) and the outbound policy (src/outbound/policy.ts). Delivery judges it again with the running
 * server's policy.
 */
export function logoutUriProblem(uri: string): string | null {
  const url = URL.parse(uri);
  if (!url) return 'not an absolute URI';
  if (url.hash !== '' || uri.includes('#')) return 'has a fragment';
  return outboundUrlProblem(uri, REGISTRATION_POLICY);
}
