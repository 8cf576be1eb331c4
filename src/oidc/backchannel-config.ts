/** The `OAUTH2_BACKCHANNEL_LOGOUT_*` settings (merged into the schema of src/config.ts). */
import type { z } from 'zod';
import { wholeNumber } from '../config-fields';

export const BackchannelEnvShape = {
  /** Deadline of one logout-token POST. */
  OAUTH2_BACKCHANNEL_LOGOUT_TIMEOUT_MS: wholeNumber(5000, 100, 30_000),
};

type BackchannelEnv = { [K in keyof typeof BackchannelEnvShape]: z.output<(typeof BackchannelEnvShape)[K]> };

export interface BackchannelConfig {
  timeoutMs: number;
}

export function toBackchannelConfig(env: BackchannelEnv): BackchannelConfig {
  return { timeoutMs: env.OAUTH2_BACKCHANNEL_LOGOUT_TIMEOUT_MS };
}
