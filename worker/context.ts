/** The Hono environment shared by every route and middleware. */
import type { Config } from '../src/config';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    config: Config;
    requestId: string;
  };
};
