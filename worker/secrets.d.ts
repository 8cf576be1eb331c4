// Secrets and optional vars are not in wrangler.toml, so `wrangler types` cannot see them.
// They are declared here (all optional: src/config.ts validates presence and strength).
declare namespace Cloudflare {
  interface Env {
    OAUTH2_SESSION_KEY?: string;
    OAUTH2_KEY_ENCRYPTION_KEY?: string;
    OAUTH2_ADMIN_CLIENT_SECRET?: string;
    OAUTH2_SEED_PASSWORD?: string;
    OAUTH2_JWT_SECRET?: string;
    OAUTH2_DATABASE_URL?: string;
    OAUTH2_PUBLIC_URL?: string;
    OAUTH2_ALLOWED_ORIGINS?: string;
    OAUTH2_ACCESS_TOKENS_OPAQUE?: string;
    OAUTH2_PUBLIC_INTROSPECTION?: string;
    OAUTH2_ACCESS_TOKEN_TTL_SECS?: string;
    OAUTH2_REFRESH_TOKEN_TTL_SECS?: string;
    OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS?: string;
    OAUTH2_AUTHORIZATION_CODE_TTL_SECS?: string;
    OAUTH2_ADMIN_EMAILS?: string;
    OAUTH2_DYNAMIC_REGISTRATION_ENABLED?: string;
    OAUTH2_ALLOW_INSECURE_DEFAULTS?: string;
    OAUTH2_TOKEN_ACTOR_SHARDS?: string;
  }
}
