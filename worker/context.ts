/** The Hono environment shared by every route and middleware. */
import type { SessionInfo } from '../src/auth/session';
import type { Config } from '../src/config';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    config: Config;
    requestId: string;
    /**
     * The signed-in user, or null. Set only on the browser routes (`BROWSER_PATHS` in app.ts) by the
     * session middleware; elsewhere it is never loaded.
     */
    session: SessionInfo | null;
  };
};
