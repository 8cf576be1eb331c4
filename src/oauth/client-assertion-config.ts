/** JWT client authentication settings (RFC 7523): where a client's `jwks_uri` may point. */
import { flagDefault } from '../config-fields';

export const ClientAssertionEnvShape = {
  /**
   * Lets a `jwks_uri` be plain http on a loopback address (127.0.0.0/8, ::1, localhost). For local
   * development and tests only: by default a jwks_uri must be https to a public host.
   */
  OAUTH2_JWKS_URI_ALLOW_LOOPBACK: flagDefault(false),
};

export interface ClientAssertionConfig {
  allowLoopbackJwksUri: boolean;
}

export function toClientAssertionConfig(env: {
  OAUTH2_JWKS_URI_ALLOW_LOOPBACK: boolean;
}): ClientAssertionConfig {
  return { allowLoopbackJwksUri: env.OAUTH2_JWKS_URI_ALLOW_LOOPBACK };
}
