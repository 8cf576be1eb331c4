/**
 * docs/configuration.md, rendered from the configuration schema: each setting's type, constraints, default
 * and secrecy come from its field builder (src/config-fields.ts, via `settingFields()` of src/config.ts);
 * its area and one-line meaning come from SETTING_DOCS below. A setting of the schema without an entry here
 * fails test/node/configuration-docs.test.ts, and so does a stale docs/configuration.md
 * (regenerate it with `npm run docs:config`, scripts/docs-config.mjs).
 */
import { settingFields } from './config';

export const AREAS = {
  core: {
    title: 'Issuer, secrets and bootstrap',
    intro:
      'The secrets are set with `wrangler secret put NAME` (locally in `.dev.vars`); unless ' +
      '`OAUTH2_ALLOW_INSECURE_DEFAULTS` is on, a secret must have at least 32 characters (the seed password 12) ' +
      'and must not be a well-known default.',
  },
  tokens: { title: 'Tokens, codes and signing keys' },
  registration: { title: 'Client registration' },
  scopes: { title: 'Scopes and APIs', intro: 'See [scopes.md](scopes.md).' },
  upstream: {
    title: 'Sign-in and upstream providers',
    intro:
      'A built-in provider is enabled when its client id and secret are both set; one without the other is a ' +
      'configuration error. See [federated-sign-in.md](federated-sign-in.md).',
  },
  events: { title: 'Events, metrics and logs' },
  rateLimit: { title: 'Rate limiting' },
  resilience: {
    title: 'Resilience',
    intro: 'Every limit here is per isolate: a deployment’s ceiling is the figure × the isolates serving it.',
  },
  outbound: { title: 'Outbound requests' },
  storage: { title: 'Storage' },
} satisfies Record<string, { title: string; intro?: string }>;

export type Area = keyof typeof AREAS;

export interface SettingDoc {
  area: Area;
  /** One line: what the setting does (markdown). */
  meaning: string;
  /** The default column when the default is applied outside the field parser (e.g. in toConfig). */
  default?: string;
}

const provider = (name: string): { id: SettingDoc; secret: SettingDoc } => ({
  id: { area: 'upstream', meaning: `${name}: the OAuth client id (enables the provider with the secret)` },
  secret: { area: 'upstream', meaning: `${name}: the OAuth client secret` },
});

const google = provider('Google');
const microsoft = provider('Microsoft');
const azure = provider('Microsoft Entra ID (`/auth/login/azure`)');
const github = provider('GitHub (an OAuth app; not OpenID)');
const okta = provider('Okta');
const auth0 = provider('Auth0');

/** The area and meaning of every setting, keyed by name. */
export const SETTING_DOCS: Record<string, SettingDoc> = {
  // Issuer, secrets and bootstrap
  OAUTH2_PUBLIC_URL: {
    area: 'core',
    meaning: 'the issuer; no trailing slash, no query',
    default: 'request origin',
  },
  OAUTH2_SESSION_KEY: {
    area: 'core',
    meaning: 'required; keys the CSRF tokens of the browser forms (HMAC-SHA256)',
  },
  OAUTH2_KEY_ENCRYPTION_KEY: { area: 'core', meaning: 'required; encrypts private signing keys at rest' },
  OAUTH2_JWT_SECRET: {
    area: 'core',
    meaning:
      'the HMAC key of HS256 access tokens (`OAUTH2_ACCESS_TOKEN_SIGNING_ALG=HS256`), at least 32 bytes; unused otherwise',
  },
  OAUTH2_ADMIN_CLIENT_ID: {
    area: 'core',
    meaning:
      'the bootstrap confidential client (`client_credentials`, scopes `admin read write`), with its secret',
    default: 'unset (`admin-client` in wrangler.toml)',
  },
  OAUTH2_ADMIN_CLIENT_SECRET: { area: 'core', meaning: 'the secret of the bootstrap admin client' },
  OAUTH2_SEED_USERNAME: {
    area: 'core',
    meaning: 'the seed admin user’s name',
    default: '`admin`',
  },
  OAUTH2_SEED_PASSWORD: {
    area: 'core',
    meaning:
      'the seed admin user’s password (the user is created when set); `changeme` and short ones are refused',
  },
  OAUTH2_SEED_EMAIL: {
    area: 'core',
    meaning: 'the seed admin user’s e-mail',
    default: '`admin@example.com`',
  },
  OAUTH2_ADMIN_EMAILS: {
    area: 'core',
    meaning: 'e-mails whose verified owners are administrators (AdminGuard)',
  },
  OAUTH2_ALLOWED_ORIGINS: {
    area: 'core',
    meaning: 'origins that get CORS headers on the endpoints a browser application calls',
    default: 'empty (CORS denies all)',
  },
  OAUTH2_MFA_REQUIRED_FOR_ADMINS: {
    area: 'core',
    meaning:
      'an administrator signed in without a second factor on record is sent from the admin pages to ' +
      '`/profile/security` to set one up (the admin API with a Bearer token is not affected); see docs/mfa.md',
  },
  OAUTH2_ALLOW_INSECURE_DEFAULTS: {
    area: 'core',
    meaning: 'accept weak or missing secrets (never in production; malformed values are still refused)',
  },
  // Tokens, codes and signing keys
  OAUTH2_ACCESS_TOKENS_OPAQUE: { area: 'tokens', meaning: 'opaque reference tokens instead of JWTs' },
  OAUTH2_ACCESS_TOKEN_SIGNING_ALG: {
    area: 'tokens',
    meaning:
      'how JWT access tokens are signed: `ES256` with the key ring’s access-token key (in the JWKS, so resource ' +
      'servers can verify locally), or `HS256` with `OAUTH2_JWT_SECRET` (required then): a symmetric key is never ' +
      'published, so resource servers must introspect; switching back to `ES256` ends the HS256 tokens issued',
  },
  OAUTH2_PUBLIC_INTROSPECTION: {
    area: 'tokens',
    meaning: 'allow introspection without client authentication',
  },
  OAUTH2_ACCESS_TOKEN_TTL_SECS: { area: 'tokens', meaning: 'lifetime of an access token' },
  OAUTH2_REFRESH_TOKEN_TTL_SECS: {
    area: 'tokens',
    meaning: 'absolute lifetime of a refresh-token family (rotation never extends it)',
  },
  OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS: {
    area: 'tokens',
    meaning:
      'within this many seconds a rotated refresh token presented again returns the same successor instead of revoking the family (benign retries; 0 = off)',
  },
  OAUTH2_AUTHORIZATION_CODE_TTL_SECS: {
    area: 'tokens',
    meaning: 'lifetime of an authorization code; codes are single-use',
  },
  OAUTH2_DEVICE_CODE_TTL_SECS: {
    area: 'tokens',
    meaning: 'device code and user code lifetime (`expires_in`, RFC 8628)',
  },
  OAUTH2_DEVICE_CODE_INTERVAL_SECS: {
    area: 'tokens',
    meaning: 'the polling interval a device is told (RFC 8628); each `slow_down` adds 5 s for that device',
  },
  OAUTH2_REQUIRE_PAR: {
    area: 'tokens',
    meaning: 'every authorization request must use a `request_uri` from `POST /oauth/par` (RFC 9126)',
  },
  OAUTH2_DPOP_REQUIRE_NONCE: {
    area: 'tokens',
    meaning:
      'every DPoP proof must carry a server nonce: `use_dpop_nonce` + `DPoP-Nonce` otherwise (RFC 9449 §8)',
  },
  OAUTH2_DPOP_PROOF_MAX_AGE_SECS: {
    area: 'tokens',
    meaning: 'how old (by `iat`) a DPoP proof may be; its `jti` is remembered that long',
  },
  OAUTH2_SIGNING_KEY_ROTATION_DAYS: {
    area: 'tokens',
    meaning: 'age at which the hourly Cron Trigger replaces a signing key (0 = manual rotation only)',
  },
  OAUTH2_SIGNING_KEY_PREPUBLISH_SECS: {
    area: 'tokens',
    meaning:
      'how long a successor key is in the JWKS before it signs (at most half the rotation period, at least 420)',
  },
  OAUTH2_BACKCHANNEL_LOGOUT_TIMEOUT_MS: {
    area: 'tokens',
    meaning: 'deadline of one Logout Token POST (OIDC back-channel logout)',
  },
  // Client registration
  OAUTH2_DYNAMIC_REGISTRATION_ENABLED: {
    area: 'registration',
    meaning:
      'allow anonymous `POST /connect/register`; when off, an admin-scoped Bearer token is the initial access token',
  },
  OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS: {
    area: 'registration',
    meaning:
      'anonymous registrations without a token after this long are deleted by the hourly sweep (0 = never); see [mcp.md](mcp.md)',
  },
  OAUTH2_CLIENT_ID_METADATA_DOCUMENTS: {
    area: 'registration',
    meaning:
      'an https URL as `client_id` names the client’s metadata document, fetched with SSRF guards ([mcp.md](mcp.md))',
  },
  // Scopes and APIs
  OAUTH2_SCOPES: { area: 'scopes', meaning: 'scopes besides the built-in ones' },
  OAUTH2_PROTECTED_RESOURCES: {
    area: 'scopes',
    meaning: 'APIs (RFC 8707 / RFC 9728) besides `{issuer}` and `{issuer}/mcp`',
  },
  // Sign-in and upstream providers
  OAUTH2_GOOGLE_CLIENT_ID: google.id,
  OAUTH2_GOOGLE_CLIENT_SECRET: google.secret,
  OAUTH2_GOOGLE_ISSUER: {
    area: 'upstream',
    meaning: 'Google: the issuer',
    default: '`https://accounts.google.com`',
  },
  OAUTH2_MICROSOFT_CLIENT_ID: microsoft.id,
  OAUTH2_MICROSOFT_CLIENT_SECRET: microsoft.secret,
  OAUTH2_MICROSOFT_TENANT_ID: { area: 'upstream', meaning: 'Microsoft: the tenant', default: '`common`' },
  OAUTH2_MICROSOFT_ISSUER: {
    area: 'upstream',
    meaning: 'Microsoft: the issuer, overriding the one derived from the tenant',
    default: '`https://login.microsoftonline.com/{tenant}/v2.0`',
  },
  OAUTH2_AZURE_CLIENT_ID: azure.id,
  OAUTH2_AZURE_CLIENT_SECRET: azure.secret,
  OAUTH2_AZURE_TENANT_ID: {
    area: 'upstream',
    meaning: 'Microsoft Entra ID: the tenant',
    default: 'the Microsoft tenant',
  },
  OAUTH2_AZURE_ISSUER: {
    area: 'upstream',
    meaning: 'Microsoft Entra ID: the issuer, overriding the one derived from the tenant',
    default: 'derived from the tenant',
  },
  OAUTH2_GITHUB_CLIENT_ID: github.id,
  OAUTH2_GITHUB_CLIENT_SECRET: github.secret,
  OAUTH2_GITHUB_BASE_URL: {
    area: 'upstream',
    meaning: 'GitHub: the web base URL (GitHub Enterprise Server: `https://HOST`)',
    default: '`https://github.com`',
  },
  OAUTH2_GITHUB_API_URL: {
    area: 'upstream',
    meaning: 'GitHub: the API base URL (GitHub Enterprise Server: `https://HOST/api/v3`)',
    default: '`https://api.github.com`',
  },
  OAUTH2_OKTA_CLIENT_ID: okta.id,
  OAUTH2_OKTA_CLIENT_SECRET: okta.secret,
  OAUTH2_OKTA_DOMAIN: {
    area: 'upstream',
    meaning: 'Okta: the org’s host name (`dev-123456.okta.com`); the issuer is `https://{domain}`',
  },
  OAUTH2_OKTA_ISSUER: {
    area: 'upstream',
    meaning: 'Okta: the issuer, e.g. a custom authorization server `https://{domain}/oauth2/default`',
    default: '`https://{domain}`',
  },
  OAUTH2_AUTH0_CLIENT_ID: auth0.id,
  OAUTH2_AUTH0_CLIENT_SECRET: auth0.secret,
  OAUTH2_AUTH0_DOMAIN: {
    area: 'upstream',
    meaning: 'Auth0: the tenant’s domain (`example.eu.auth0.com`); the issuer is `https://{domain}/`',
  },
  OAUTH2_AUTH0_ISSUER: { area: 'upstream', meaning: 'Auth0: the issuer', default: '`https://{domain}/`' },
  OAUTH2_OIDC_PROVIDERS: { area: 'upstream', meaning: 'generic OpenID providers (at most 20)' },
  OAUTH2_SOCIAL_LINK_BY_EMAIL: {
    area: 'upstream',
    meaning: 'link a first upstream sign-in to the one local user with the same verified e-mail',
  },
  OAUTH2_UPSTREAM_TIMEOUT_MS: {
    area: 'upstream',
    meaning: 'deadline of each call to an upstream provider (discovery, JWKS, token, userinfo, GitHub API)',
  },
  // Events, metrics and logs
  OAUTH2_EVENTS_ENABLED: { area: 'events', meaning: 'publish events at all' },
  OAUTH2_EVENTS_FILTER_MODE: {
    area: 'events',
    meaning: '`include`: only `OAUTH2_EVENTS_TYPES`; `exclude`: all but those',
  },
  OAUTH2_EVENTS_TYPES: {
    area: 'events',
    meaning: 'event types for the filter; unknown types are a configuration error',
  },
  OAUTH2_EVENTS_WEBHOOK_URLS: {
    area: 'events',
    meaning: 'https URLs (http only to loopback) signed webhooks go to; empty turns webhooks off',
  },
  OAUTH2_EVENTS_WEBHOOK_SECRET: {
    area: 'events',
    meaning: 'HMAC-SHA256 key of `X-OAuth2-Signature`; required when webhook URLs are set',
  },
  OAUTH2_EVENTS_WEBHOOK_TIMEOUT_MS: { area: 'events', meaning: 'deadline of one webhook call' },
  OAUTH2_EVENTS_RETRY_DELAY_SECS: {
    area: 'events',
    meaning: 'first retry delay of a failed delivery (doubles per attempt, at most 600 s)',
  },
  OAUTH2_EVENTS_CONSOLE: {
    area: 'events',
    meaning: 'the console plugin (one JSON line per event, in Workers Logs)',
  },
  OAUTH2_EVENTS_INGEST_BEARER_TOKEN: {
    area: 'events',
    meaning: 'Bearer token of `POST /events/ingest` (unset: nobody may ingest)',
  },
  OAUTH2_EVENTS_PUBLIC_INGEST: { area: 'events', meaning: '`POST /events/ingest` without a token' },
  OAUTH2_EVENTS_RETENTION_DAYS: {
    area: 'events',
    meaning: 'the recent-events store drops older events (hourly, in the consumer)',
  },
  OAUTH2_METRICS_FLUSH_INTERVAL_SECS: {
    area: 'events',
    meaning: 'how often an isolate sends its metrics (0: after every request, for tests only)',
  },
  OAUTH2_METRICS_TOKEN: {
    area: 'events',
    meaning: 'Bearer token of `GET /metrics` (unset: public; set it in production)',
  },
  OAUTH2_LOG_REQUESTS: { area: 'events', meaning: 'one JSON log line per request' },
  OAUTH2_LOG_SAMPLE_PERCENT: {
    area: 'events',
    meaning:
      'percent of successful requests (status below 400) that get their log line; failed requests are always logged',
  },
  // Rate limiting
  OAUTH2_RATE_LIMIT_ENABLED: {
    area: 'rateLimit',
    meaning: 'every rate-limit rule except the sign-in throttle (always on)',
  },
  OAUTH2_RATE_LIMIT_BACKEND: {
    area: 'rateLimit',
    meaning: 'where the counters live: Durable Objects (exact), Workers KV (approximate) or Upstash Redis',
  },
  OAUTH2_RATE_LIMIT_MAX_REQUESTS: {
    area: 'rateLimit',
    meaning: '`global` rule: requests per client IP per window',
  },
  OAUTH2_RATE_LIMIT_WINDOW_SECS: { area: 'rateLimit', meaning: 'the fixed window of every rule' },
  OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: {
    area: 'rateLimit',
    meaning: '`invalid_client` failures per client_id and client IP per window',
  },
  OAUTH2_RATE_LIMIT_REGISTRATION_MAX_REQUESTS: {
    area: 'rateLimit',
    meaning: 'registrations per client IP per window',
  },
  OAUTH2_RATE_LIMIT_TIMEOUT_MS: { area: 'rateLimit', meaning: 'a backend call slower than this fails open' },
  OAUTH2_RATE_LIMIT_DO_SHARDS: {
    area: 'rateLimit',
    meaning: '`durable_object`: RateLimiter objects the keys are spread over',
  },
  OAUTH2_RATE_LIMIT_DO_MAX_LEASE: {
    area: 'rateLimit',
    meaning: '`durable_object`: the largest lease of hits an isolate takes (1 = a call per hit)',
  },
  OAUTH2_RATE_LIMIT_UPSTASH_URL: {
    area: 'rateLimit',
    meaning: '`upstash`: the REST URL (required with that backend)',
  },
  OAUTH2_RATE_LIMIT_UPSTASH_TOKEN: {
    area: 'rateLimit',
    meaning: '`upstash`: the REST token (required with that backend)',
  },
  // Resilience
  OAUTH2_RESILIENCE_ENABLED: {
    area: 'resilience',
    meaning: 'breakers, back-pressure and bulkheads (timeouts always apply)',
  },
  OAUTH2_RESILIENCE_CB_ENABLED: { area: 'resilience', meaning: 'the circuit breakers' },
  OAUTH2_RESILIENCE_CB_FAILURE_THRESHOLD: {
    area: 'resilience',
    meaning: 'consecutive failures that open a breaker',
  },
  OAUTH2_RESILIENCE_CB_OPEN_SECS: { area: 'resilience', meaning: 'how long an open breaker refuses' },
  OAUTH2_RESILIENCE_CB_HALF_OPEN_MAX_PROBES: {
    area: 'resilience',
    meaning: 'calls let through at once while half-open',
  },
  OAUTH2_RESILIENCE_CB_SUCCESS_THRESHOLD: { area: 'resilience', meaning: 'successful probes that close it' },
  OAUTH2_RESILIENCE_BP_ENABLED: { area: 'resilience', meaning: 'the per-isolate concurrency limit' },
  OAUTH2_RESILIENCE_MAX_CONCURRENT: { area: 'resilience', meaning: 'requests in flight per isolate' },
  OAUTH2_RESILIENCE_BULKHEAD_TOKEN_MAX: {
    area: 'resilience',
    meaning: 'token, introspection, revocation, userinfo, PAR and device authorization requests in flight',
  },
  OAUTH2_RESILIENCE_BULKHEAD_PAGES_MAX: {
    area: 'resilience',
    meaning: 'authorization, consent, device verification and sign-in pages in flight',
  },
  OAUTH2_RESILIENCE_BULKHEAD_ADMIN_MAX: {
    area: 'resilience',
    meaning: '`/admin/*` and `/mcp` requests in flight',
  },
  OAUTH2_RESILIENCE_BULKHEAD_REGISTRATION_MAX: {
    area: 'resilience',
    meaning: '`/connect/register*` requests in flight',
  },
  // Outbound requests
  OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: {
    area: 'outbound',
    meaning:
      'development and tests only: outbound requests (client `jwks_uri`, back-channel logout, webhooks, upstream providers) may reach 127.0.0.0/8, `::1` or `localhost`, over plain http too',
  },
  // Storage
  OAUTH2_DATABASE_URL: {
    area: 'storage',
    meaning: 'PostgreSQL through the Neon serverless driver instead of D1 (the `HYPERDRIVE` binding wins)',
    default: 'unset (D1 binding `DB`)',
  },
  OAUTH2_DATABASE_WS_PROXY: {
    area: 'storage',
    meaning: 'local development only: the address of `scripts/pg-ws-proxy.mjs` (`npm start` sets it)',
  },
  OAUTH2_TOKEN_ACTOR_SHARDS: {
    area: 'storage',
    meaning:
      'how many TokenActor / AuthActor objects new grants and codes are spread over (1,000 grants land on about 700 objects at the default); the shard is part of each id, so changing it never moves existing state (only device user codes pending at that moment are lost)',
  },
};

/** The Worker's bindings (wrangler.toml), hand-written: they are not settings of the schema. */
export const BINDINGS: readonly { name: string; kind: string; meaning: string }[] = [
  { name: 'DB', kind: 'D1 database', meaning: 'the store, unless PostgreSQL is configured' },
  {
    name: 'HYPERDRIVE',
    kind: 'Hyperdrive (optional)',
    meaning: 'PostgreSQL through Hyperdrive (production); when bound, used instead of `OAUTH2_DATABASE_URL`',
  },
  {
    name: 'EVENTS',
    kind: 'Queue producer',
    meaning:
      'the event bus `oauth2-events`; the Worker also consumes it and its dead-letter queue `oauth2-events-dlq`',
  },
  {
    name: 'RATE_LIMIT_KV',
    kind: 'KV namespace (optional)',
    meaning: 'the counters of `OAUTH2_RATE_LIMIT_BACKEND=kv` (required with that backend)',
  },
  { name: 'TOKEN_ACTOR', kind: 'Durable Object', meaning: 'grants and their tokens (sharded)' },
  { name: 'AUTH_ACTOR', kind: 'Durable Object', meaning: 'authorization codes and device codes (sharded)' },
  { name: 'CLIENT_ACTOR', kind: 'Durable Object', meaning: 'registered clients' },
  { name: 'KEY_RING', kind: 'Durable Object', meaning: 'signing keys and their rotation' },
  { name: 'LOGIN_THROTTLE', kind: 'Durable Object', meaning: 'the sign-in throttle' },
  { name: 'METRICS_ACTOR', kind: 'Durable Object', meaning: 'the metrics aggregate behind `GET /metrics`' },
  {
    name: 'RATE_LIMITER',
    kind: 'Durable Object',
    meaning: 'the counters of the `durable_object` rate-limit backend',
  },
  {
    name: 'REPLAY_GUARD',
    kind: 'Durable Object',
    meaning: 'single-use `jti` of DPoP proofs and JWT client assertions',
  },
  { name: 'ASSETS', kind: 'static assets', meaning: 'the files under `public/` (Swagger UI)' },
];

const INTRO = [
  '# Configuration',
  '',
  '<!-- Generated by `npm run docs:config` (scripts/docs-config.mjs) from src/config.ts and src/config-docs.ts: do not edit. -->',
  '',
  'Vars go in `wrangler.toml` `[vars]`; secrets are set with `wrangler secret put NAME` (locally in `.dev.vars`). ' +
    '`npm run check:config` validates the configuration with the Worker’s own schema before a deploy ' +
    '(`npm run check:config -- --production` ignores `.dev.vars` and reports missing secrets).',
  '',
  'Every setting follows the same rules: unset or empty means the default; a malformed value (or a number out of ' +
    'range) is a configuration error naming the setting, never its value, and the Worker answers 503 ' +
    '`server_misconfigured` until it is fixed. Booleans are `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`; ' +
    'lists are comma-separated; text is trimmed.',
];

/** Settings of the schema without an entry (area and meaning) in SETTING_DOCS. */
export function undocumentedSettings(): string[] {
  return settingFields()
    .filter(({ name }) => !SETTING_DOCS[name]?.meaning.trim())
    .map(({ name }) => name);
}

/** Settings of the schema whose field was not built by the builders of src/config-fields.ts (no type). */
export function settingsWithoutFieldInfo(): string[] {
  return settingFields()
    .filter(({ info }) => info === undefined)
    .map(({ name }) => name);
}

/** Entries of SETTING_DOCS that are no setting of the schema (renamed or removed settings). */
export function unknownDocumentedSettings(): string[] {
  const names = new Set(settingFields().map(({ name }) => name));
  return Object.keys(SETTING_DOCS).filter((name) => !names.has(name));
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/**
 * A markdown table in the form biome formats it: each column padded to its widest cell, the delimiter row
 * dashes as wide as the column.
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...all.map((row) => [...(row[i] ?? '')].length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((text, i) => text + ' '.repeat((widths[i] ?? 0) - [...text].length)).join(' | ')} |`;
  const [head, ...body] = all;
  return [line(head ?? []), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
}

/** docs/configuration.md. */
export function renderConfigurationDoc(): string {
  const fields = settingFields();
  const out = [...INTRO];
  for (const [area, { title, ...rest }] of Object.entries(AREAS)) {
    const rows = fields
      .filter(({ name }) => SETTING_DOCS[name]?.area === area)
      .map(({ name, info }) => {
        const doc = SETTING_DOCS[name];
        const type = info?.secret && info.type !== 'secret' ? `${info.type} (secret)` : (info?.type ?? '?');
        return [`\`${name}\``, type, doc?.default ?? info?.default ?? 'unset', doc?.meaning ?? ''];
      });
    if (rows.length === 0) continue;
    out.push('', `## ${title}`, '');
    if ('intro' in rest && rest.intro) out.push(rest.intro, '');
    out.push(...markdownTable(['name', 'type', 'default', 'meaning'], rows));
  }
  out.push(
    '',
    '## Bindings',
    '',
    'Declared in `wrangler.toml`; `npm run setup:cloudflare` creates the D1 database and the queues.',
    '',
    ...markdownTable(
      ['binding', 'kind', 'meaning'],
      BINDINGS.map(({ name, kind, meaning }) => [`\`${name}\``, kind, meaning]),
    ),
  );
  return `${out.join('\n')}\n`;
}
