/** The Hono environment shared by every route and middleware. */
import type { AdminActor } from '../src/admin/context';
import type { Config } from '../src/config';
import type { SessionInfo } from '../src/sign-in/session';
import type { RequestObservation } from './wiring/telemetry';

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
    /** The administrator acting on this request: set by the AdminGuard on `/admin` and `/admin/*` only. */
    admin: AdminActor;
    /** Trace context, client and user of this request (observability middleware; see worker/wiring/telemetry.ts). */
    obs: RequestObservation;
  };
};
