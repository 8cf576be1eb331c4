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
    /** Local development only: `host:port` of scripts/pg-ws-proxy.mjs for a plain PostgreSQL. */
    OAUTH2_DATABASE_WS_PROXY?: string;
    /** Hyperdrive in front of PostgreSQL (production); used instead of OAUTH2_DATABASE_URL when bound. */
    HYPERDRIVE?: Hyperdrive;
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
    /** Anonymous registrations without a token after this many seconds are swept (default 86400, 0 = never). */
    OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS?: string;
    /** RFC 8707 / RFC 9728: JSON array of {resource, scopes_supported?, name?}. */
    OAUTH2_PROTECTED_RESOURCES?: string;
    /** `true`: an https URL as client_id names the client's metadata document. */
    OAUTH2_CLIENT_ID_METADATA_DOCUMENTS?: string;
    OAUTH2_ALLOW_INSECURE_DEFAULTS?: string;
    OAUTH2_TOKEN_ACTOR_SHARDS?: string;
    /** Rate limiting with OAUTH2_RATE_LIMIT_BACKEND=kv: a KV namespace bound as RATE_LIMIT_KV. */
    RATE_LIMIT_KV?: KVNamespace;
    /** Rate limiting with OAUTH2_RATE_LIMIT_BACKEND=upstash: the Upstash Redis REST token. */
    OAUTH2_RATE_LIMIT_UPSTASH_TOKEN?: string;
    OAUTH2_EVENTS_ENABLED?: string;
    OAUTH2_EVENTS_FILTER_MODE?: string;
    OAUTH2_EVENTS_TYPES?: string;
    OAUTH2_EVENTS_WEBHOOK_URLS?: string;
    OAUTH2_EVENTS_WEBHOOK_SECRET?: string;
    OAUTH2_EVENTS_WEBHOOK_TIMEOUT_MS?: string;
    OAUTH2_EVENTS_CONSOLE?: string;
    OAUTH2_EVENTS_INGEST_BEARER_TOKEN?: string;
    OAUTH2_EVENTS_PUBLIC_INGEST?: string;
    OAUTH2_EVENTS_RETENTION_DAYS?: string;
    OAUTH2_EVENTS_RETRY_DELAY_SECS?: string;
    OAUTH2_LOG_REQUESTS?: string;
    OAUTH2_LOG_SAMPLE_PERCENT?: string;
    OAUTH2_METRICS_FLUSH_INTERVAL_SECS?: string;
  }
}
