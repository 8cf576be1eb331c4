declare global {
  namespace Cloudflare {
    interface Env {
      /** The storage contract's own database (project `workers-pg` only; see test/postgres). */
      TEST_PG_CONTRACT_URL: string;
      /** Miniflare's local Hyperdrive in front of that database (project `workers-pg` only). */
      TEST_HYPERDRIVE: Hyperdrive;
    }
  }
}

export {};
