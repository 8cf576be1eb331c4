import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** The local Upstash-compatible REST server (test/upstash/global-setup.ts). */
      OAUTH2_RATE_LIMIT_UPSTASH_URL?: string;
    }
  }
}
