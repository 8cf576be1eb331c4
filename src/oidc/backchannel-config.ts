/** The `OAUTH2_BACKCHANNEL_LOGOUT_*` settings (merged into the schema of src/config.ts). */
import type { z } from 'zod';
import { flagDefault, wholeNumber } from '../config-fields';

export const BackchannelEnvShape = {
  /** Allow http:// logout URIs on a loopback host (local development and tests); https only otherwise. */
  OAUTH2_BACKCHANNEL_LOGOUT_ALLOW_HTTP_LOOPBACK: flagDefault(false),
  /** Deadline of one logout-token POST. */
  OAUTH2_BACKCHANNEL_LOGOUT_TIMEOUT_MS: wholeNumber(5000, 100, 30_000),
};

type BackchannelEnv = { [K in keyof typeof BackchannelEnvShape]: z.output<(typeof BackchannelEnvShape)[K]> };

export interface BackchannelConfig {
  allowHttpLoopback: boolean;
  timeoutMs: number;
}

export function toBackchannelConfig(env: BackchannelEnv): BackchannelConfig {
  return {
    allowHttpLoopback: env.OAUTH2_BACKCHANNEL_LOGOUT_ALLOW_HTTP_LOOPBACK,
    timeoutMs: env.OAUTH2_BACKCHANNEL_LOGOUT_TIMEOUT_MS,
  };
}
