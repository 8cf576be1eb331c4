/** Configuration: Worker vars and secrets (names in contracts.md) -> one typed, validated Config. */
import { z } from 'zod';
import {
  type FieldInfo,
  fieldInfo,
  flagDefault,
  httpUrl,
  json,
  list,
  oneOf,
  secret,
  text,
  wholeNumber,
} from './config-fields';
import { type KeyRotationConfig, KeyRotationEnvShape, toKeyRotationConfig } from './crypto/key-rotation';
import {
  type EventsConfig,
  EventsEnvShape,
  eventsStrictProblems,
  type ObservabilityConfig,
  toEventsConfig,
  toObservabilityConfig,
} from './events/config';
import { type DpopConfig, DpopEnvShape, toDpopConfig } from './oauth/dpop/config';
import {
  apiScopes,
  type ResourceConfig,
  ResourceEnvShape,
  resourceTtlProblems,
  toResourceConfig,
} from './oauth/resources/config';
import { buildScopeRegistry, type ScopeRegistry, scopesSetting } from './oauth/scopes/registry';
import { type BackchannelConfig, BackchannelEnvShape, toBackchannelConfig } from './oidc/backchannel-config';
import { OutboundEnvShape, toOutboundConfig } from './outbound/config';
import type { OutboundPolicy } from './outbound/policy';
import {
  type RateLimitConfig,
  RateLimitEnvShape,
  rateLimitProblems,
  toRateLimitConfig,
} from './rate-limit/config';
import { type ResilienceConfig, ResilienceEnvShape, toResilienceConfig } from './resilience/config';
import {
  toUpstreamConfig,
  type UpstreamConfig,
  UpstreamEnvShape,
  upstreamProblems,
} from './sign-in/upstream/config';

/** Values that are never acceptable as a secret or password. */
const KNOWN_WEAK = new Set([
  'changeme',
  'change-me',
  'change_me',
  'password',
  'secret',
  'admin',
  'default',
  'insecure',
  'test',
  'example',
]);

const MIN_SECRET_LENGTH = 32;
const MIN_PASSWORD_LENGTH = 12;

/**
 * `host:port` of the local WebSocket -> TCP proxy (scripts/pg-ws-proxy.mjs) the Neon driver needs to
 * reach a plain PostgreSQL. Loopback only: the proxy speaks unencrypted WebSocket, a development setup.
 */
const wsProxyAddress = () =>
  text({
    type: 'loopback `host:port`',
    check: (value) => {
      const m = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]):(\d{1,5})$/i.exec(value);
      const port = Number(m?.[2]);
      return !m || port < 1 || port > 65_535 ? 'must be a loopback host:port such as 127.0.0.1:5480' : null;
    },
  });

const databaseUrl = () =>
  text({
    type: '`postgres://` or `postgresql://` URL',
    check: (value) => {
      const url = URL.parse(value);
      return !url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
        ? 'must be a postgres:// or postgresql:// URL'
        : null;
    },
  });

/**
 * How JWT access tokens are signed: ES256 with the KeyRing's access-token key (published in the JWKS), or
 * HS256 with OAUTH2_JWT_SECRET (never published: only this server verifies them; resource servers introspect).
 */
export const ACCESS_TOKEN_SIGNING_ALGS = ['ES256', 'HS256'] as const;
export type AccessTokenSigningAlg = (typeof ACCESS_TOKEN_SIGNING_ALGS)[number];

/** The raw environment schema, keyed by the variable names of contracts.md. */
const EnvSchema = z.object({
  OAUTH2_PUBLIC_URL: httpUrl({ bare: true }),
  OAUTH2_ALLOWED_ORIGINS: list({ type: 'comma-separated origins, or `*`' }),
  OAUTH2_DATABASE_URL: databaseUrl(),
  OAUTH2_DATABASE_WS_PROXY: wsProxyAddress(),
  OAUTH2_ACCESS_TOKENS_OPAQUE: flagDefault(false),
  OAUTH2_PUBLIC_INTROSPECTION: flagDefault(false),
  OAUTH2_ACCESS_TOKEN_TTL_SECS: wholeNumber(3600, 60, 86_400),
  OAUTH2_REFRESH_TOKEN_TTL_SECS: wholeNumber(2_592_000, 60, 31_536_000),
  OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS: wholeNumber(0, 0, 300),
  OAUTH2_AUTHORIZATION_CODE_TTL_SECS: wholeNumber(600, 1, 600, { outOfRange: 'clamp' }),
  OAUTH2_JWT_SECRET: secret(),
  OAUTH2_ACCESS_TOKEN_SIGNING_ALG: oneOf(ACCESS_TOKEN_SIGNING_ALGS, 'ES256'),
  OAUTH2_SESSION_KEY: secret(),
  OAUTH2_KEY_ENCRYPTION_KEY: secret(),
  OAUTH2_SEED_USERNAME: text(),
  OAUTH2_SEED_PASSWORD: secret(),
  OAUTH2_SEED_EMAIL: text(),
  OAUTH2_ADMIN_CLIENT_ID: text(),
  OAUTH2_ADMIN_CLIENT_SECRET: secret(),
  OAUTH2_ADMIN_EMAILS: list({ type: 'comma-separated e-mail addresses' }),
  OAUTH2_DYNAMIC_REGISTRATION_ENABLED: flagDefault(false),
  OAUTH2_ALLOW_INSECURE_DEFAULTS: flagDefault(false),
  OAUTH2_TOKEN_ACTOR_SHARDS: wholeNumber(1296, 1, 1296),
  OAUTH2_DEVICE_CODE_TTL_SECS: wholeNumber(600, 60, 1800),
  OAUTH2_DEVICE_CODE_INTERVAL_SECS: wholeNumber(5, 1, 60),
  OAUTH2_REQUIRE_PAR: flagDefault(false),
  OAUTH2_MFA_REQUIRED_FOR_ADMINS: flagDefault(true),
  OAUTH2_SCOPES: json(scopesSetting, 'scope names, or JSON array of `{name, description?, advertise?}`'),
  ...EventsEnvShape,
  ...RateLimitEnvShape,
  ...ResilienceEnvShape,
  ...KeyRotationEnvShape,
  ...BackchannelEnvShape,
  ...UpstreamEnvShape,
  ...DpopEnvShape,
  ...ResourceEnvShape,
  ...OutboundEnvShape,
});

type RawEnv = z.output<typeof EnvSchema>;

/** Every setting name the schema reads (check:config and `npm start` warn about unknown OAUTH2_* names). */
export const SETTING_NAMES: readonly string[] = Object.keys(EnvSchema.shape);

/** Each setting's documentation info (type, default, secret), as its field builder recorded it. */
export function settingFields(): { name: string; info: FieldInfo | undefined }[] {
  return Object.entries(EnvSchema.shape).map(([name, schema]) => ({ name, info: fieldInfo(schema) }));
}

/** The validated server configuration. */
export interface Config {
  /** Fixed issuer, or undefined to use the request origin. */
  publicUrl: string | undefined;
  allowedOrigins: string[];
  databaseUrl: string | undefined;
  /** Local WebSocket proxy for a plain PostgreSQL (development and tests). */
  databaseWsProxy: string | undefined;
  accessTokensOpaque: boolean;
  publicIntrospection: boolean;
  accessTokenTtlSecs: number;
  refreshTokenTtlSecs: number;
  /**
   * Benign-retry window after a refresh token is rotated: presenting it again within this many seconds
   * returns the same successor instead of counting as reuse. 0 (default) = off.
   */
  refreshTokenReuseIntervalSecs: number;
  authorizationCodeTtlSecs: number;
  jwtSecret: string | undefined;
  /** OAUTH2_ACCESS_TOKEN_SIGNING_ALG: ES256 (default) or HS256 under `jwtSecret` (set whenever HS256 is). */
  accessTokenSigningAlg: AccessTokenSigningAlg;
  sessionKey: string;
  keyEncryptionKey: string;
  seedAdmin: { username: string; password: string; email: string } | undefined;
  adminClient: { clientId: string; clientSecret: string } | undefined;
  adminEmails: string[];
  dynamicRegistrationEnabled: boolean;
  allowInsecureDefaults: boolean;
  /** How many TokenActor objects new grants are spread over (1..1296). */
  tokenActorShards: number;
  /** RFC 8628: lifetime of a device code and its user code (`expires_in`, default 600). */
  deviceCodeTtlSecs: number;
  /** RFC 8628 §3.2: the minimum polling interval a device is told (`interval`, default 5). */
  deviceCodeIntervalSecs: number;
  /** RFC 9126 §5: every authorization request must come through PAR (default false). */
  requirePar: boolean;
  /** Administrators must have a second factor to use the admin pages (OAUTH2_MFA_REQUIRED_FOR_ADMINS). */
  mfaRequiredForAdmins: boolean;
  /** The event bus (`OAUTH2_EVENTS_*`). */
  events: EventsConfig;
  /** Request logs and metrics. */
  observability: ObservabilityConfig;
  /** Rate limiting (`OAUTH2_RATE_LIMIT_*`). */
  rateLimit: RateLimitConfig;
  /** Circuit breakers, concurrency limit, bulkheads, outbound timeouts (`OAUTH2_RESILIENCE_*`). */
  resilience: ResilienceConfig;
  /** Scheduled signing-key rotation (`OAUTH2_SIGNING_KEY_*`). */
  keyRotation: KeyRotationConfig;
  /** OIDC back-channel logout delivery (`OAUTH2_BACKCHANNEL_LOGOUT_*`). */
  backchannelLogout: BackchannelConfig;
  /** Upstream sign-in providers (`OAUTH2_{GOOGLE,…}_*`, `OAUTH2_OIDC_PROVIDERS`; src/sign-in/upstream). */
  upstream: UpstreamConfig;
  /** DPoP (`OAUTH2_DPOP_*`, RFC 9449). */
  dpop: DpopConfig;
  /** RFC 8707 / RFC 9728: the configured protected resources (OAUTH2_PROTECTED_RESOURCES). */
  protectedResources: ResourceConfig['protectedResources'];
  /** Anonymous registrations unused this long are swept (OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS; 0 = never). */
  dynamicRegistrationUnusedTtlSecs: number;
  /** OAuth Client ID Metadata Documents: an https URL as client_id (OAUTH2_CLIENT_ID_METADATA_DOCUMENTS). */
  clientIdMetadataDocuments: boolean;
  /** What outbound requests may reach (`OAUTH2_OUTBOUND_*`; src/outbound). */
  outbound: OutboundPolicy;
  /** Every scope this server knows: built-in, `OAUTH2_SCOPES`, and the APIs' (src/oauth/scopes/registry.ts). */
  scopes: ScopeRegistry;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Used only when OAUTH2_ALLOW_INSECURE_DEFAULTS=1 lets a secret be missing (local experiments). */
const INSECURE_PLACEHOLDER = 'insecure-development-placeholder-secret-0000';

/**
 * Parses and validates the Worker environment. Problems name the setting, never its value.
 * With OAUTH2_ALLOW_INSECURE_DEFAULTS=1 only malformed values (not weak ones) are problems.
 */
export function parseConfig(source: object): ConfigResult {
  const input: Record<string, string | undefined> = {};
  for (const name of Object.keys(EnvSchema.shape)) {
    const value: unknown = Reflect.get(source, name);
    input[name] = typeof value === 'string' ? value : undefined;
  }
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`),
    };
  }
  const env = parsed.data;
  const scopes = buildScopeRegistry(env.OAUTH2_SCOPES, apiScopes(env.OAUTH2_PROTECTED_RESOURCES));
  const problems = [
    ...(env.OAUTH2_ALLOW_INSECURE_DEFAULTS ? [] : strictChecks(env)),
    ...signingProblems(env),
    ...rateLimitProblems(env, source),
    ...upstreamProblems(env),
    ...resourceTtlProblems(env.OAUTH2_PROTECTED_RESOURCES, env.OAUTH2_ACCESS_TOKEN_TTL_SECS),
    ...(scopes.ok ? [] : [scopes.problem]),
  ];
  if (problems.length > 0 || !scopes.ok) return { ok: false, problems };
  return { ok: true, config: toConfig(env, scopes.registry) };
}

function strictChecks(env: RawEnv): string[] {
  const problems: string[] = [];
  const requireSecret = (name: keyof RawEnv, value: string | undefined, min = MIN_SECRET_LENGTH) => {
    if (value === undefined) problems.push(`${name} is not set`);
    else if (isWeak(value, min))
      problems.push(`${name} is a default or too short (at least ${min} characters)`);
  };
  requireSecret('OAUTH2_SESSION_KEY', env.OAUTH2_SESSION_KEY);
  requireSecret('OAUTH2_KEY_ENCRYPTION_KEY', env.OAUTH2_KEY_ENCRYPTION_KEY);
  if (env.OAUTH2_JWT_SECRET !== undefined) requireSecret('OAUTH2_JWT_SECRET', env.OAUTH2_JWT_SECRET);
  if (env.OAUTH2_SEED_PASSWORD !== undefined) {
    requireSecret('OAUTH2_SEED_PASSWORD', env.OAUTH2_SEED_PASSWORD, MIN_PASSWORD_LENGTH);
  }
  if (env.OAUTH2_ADMIN_CLIENT_ID !== undefined || env.OAUTH2_ADMIN_CLIENT_SECRET !== undefined) {
    if (env.OAUTH2_ADMIN_CLIENT_ID === undefined) problems.push('OAUTH2_ADMIN_CLIENT_ID is not set');
    requireSecret('OAUTH2_ADMIN_CLIENT_SECRET', env.OAUTH2_ADMIN_CLIENT_SECRET);
  }
  if (env.OAUTH2_PUBLIC_URL !== undefined && !httpsOrLoopback(env.OAUTH2_PUBLIC_URL)) {
    problems.push(
      'OAUTH2_PUBLIC_URL must be an https URL (plain http only for localhost or a loopback address)',
    );
  }
  eventsStrictProblems(env, (name, value) => requireSecret(name as keyof RawEnv, value));
  return problems;
}

/** Choices that cannot work whatever OAUTH2_ALLOW_INSECURE_DEFAULTS says: HS256 needs its secret. */
function signingProblems(env: RawEnv): string[] {
  if (env.OAUTH2_ACCESS_TOKEN_SIGNING_ALG === 'HS256' && env.OAUTH2_JWT_SECRET === undefined) {
    return ['OAUTH2_ACCESS_TOKEN_SIGNING_ALG is HS256 but OAUTH2_JWT_SECRET is not set'];
  }
  return [];
}

/** RFC 9700 §2.6 / OAuth 2.1 §1.5: the issuer is served over TLS; http only on this machine (development). */
function httpsOrLoopback(url: string): boolean {
  const parsed = URL.parse(url);
  if (parsed === null) return false;
  if (parsed.protocol === 'https:') return true;
  return /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i.test(parsed.hostname);
}

function isWeak(value: string, min: number): boolean {
  const normalized = value.trim().toLowerCase();
  if (value.length < min) return true;
  if (KNOWN_WEAK.has(normalized)) return true;
  // One repeated character ("aaaa...", "0000...") is a placeholder, not a secret.
  return new Set(normalized).size <= 2;
}

function toConfig(env: RawEnv, scopes: ScopeRegistry): Config {
  const seedPassword = env.OAUTH2_SEED_PASSWORD;
  const adminClientId = env.OAUTH2_ADMIN_CLIENT_ID;
  const adminClientSecret = env.OAUTH2_ADMIN_CLIENT_SECRET;
  return {
    publicUrl: env.OAUTH2_PUBLIC_URL?.replace(/\/+$/, ''),
    allowedOrigins: env.OAUTH2_ALLOWED_ORIGINS,
    databaseUrl: env.OAUTH2_DATABASE_URL,
    databaseWsProxy: env.OAUTH2_DATABASE_WS_PROXY,
    accessTokensOpaque: env.OAUTH2_ACCESS_TOKENS_OPAQUE,
    publicIntrospection: env.OAUTH2_PUBLIC_INTROSPECTION,
    accessTokenTtlSecs: env.OAUTH2_ACCESS_TOKEN_TTL_SECS,
    refreshTokenTtlSecs: env.OAUTH2_REFRESH_TOKEN_TTL_SECS,
    refreshTokenReuseIntervalSecs: env.OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS,
    authorizationCodeTtlSecs: env.OAUTH2_AUTHORIZATION_CODE_TTL_SECS,
    jwtSecret: env.OAUTH2_JWT_SECRET,
    accessTokenSigningAlg: env.OAUTH2_ACCESS_TOKEN_SIGNING_ALG,
    sessionKey: env.OAUTH2_SESSION_KEY ?? INSECURE_PLACEHOLDER,
    keyEncryptionKey: env.OAUTH2_KEY_ENCRYPTION_KEY ?? INSECURE_PLACEHOLDER,
    seedAdmin:
      seedPassword === undefined
        ? undefined
        : {
            username: env.OAUTH2_SEED_USERNAME ?? 'admin',
            password: seedPassword,
            email: env.OAUTH2_SEED_EMAIL ?? 'admin@example.com',
          },
    adminClient:
      adminClientId !== undefined && adminClientSecret !== undefined
        ? { clientId: adminClientId, clientSecret: adminClientSecret }
        : undefined,
    adminEmails: env.OAUTH2_ADMIN_EMAILS.map((email) => email.toLowerCase()),
    dynamicRegistrationEnabled: env.OAUTH2_DYNAMIC_REGISTRATION_ENABLED,
    allowInsecureDefaults: env.OAUTH2_ALLOW_INSECURE_DEFAULTS,
    tokenActorShards: env.OAUTH2_TOKEN_ACTOR_SHARDS,
    deviceCodeTtlSecs: env.OAUTH2_DEVICE_CODE_TTL_SECS,
    deviceCodeIntervalSecs: env.OAUTH2_DEVICE_CODE_INTERVAL_SECS,
    requirePar: env.OAUTH2_REQUIRE_PAR,
    mfaRequiredForAdmins: env.OAUTH2_MFA_REQUIRED_FOR_ADMINS,
    events: toEventsConfig(env),
    observability: toObservabilityConfig(env),
    rateLimit: toRateLimitConfig(env),
    resilience: toResilienceConfig(env),
    keyRotation: toKeyRotationConfig(env),
    backchannelLogout: toBackchannelConfig(env),
    upstream: toUpstreamConfig(env),
    dpop: toDpopConfig(env),
    ...toResourceConfig(env),
    outbound: toOutboundConfig(env),
    scopes,
  };
}

const cache = new WeakMap<object, ConfigResult>();

/** Parses once per isolate (per env object) and caches the result. */
export function loadConfig(source: object): ConfigResult {
  let result = cache.get(source);
  if (!result) {
    result = parseConfig(source);
    cache.set(source, result);
  }
  return result;
}
