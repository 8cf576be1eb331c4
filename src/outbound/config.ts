/** The `OAUTH2_OUTBOUND_*` settings (merged into the schema of src/config.ts). */
import { flagDefault } from '../config-fields';
import type { OutboundPolicy } from './policy';

export const OutboundEnvShape = {
  /**
   * Lets outbound requests (client jwks_uri, back-channel logout, webhooks, upstream providers) reach a
   * loopback host (127.0.0.0/8, ::1, `localhost`), over http too. Local development and tests only.
   */
  OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: flagDefault(false),
};

export function toOutboundConfig(env: { OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: boolean }): OutboundPolicy {
  return { allowLoopback: env.OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP };
}
