/**
 * Upstream sign-in settings (contracts.md "Upstream sign-in"): their part of the environment schema (merged
 * into src/config.ts), the problems they can have, and the typed provider list. A provider is enabled when
 * its client id and secret are both set; one without the other is a configuration problem.
 */
import { z } from 'zod';
import { flagDefault, json, secret, text, wholeNumber } from '../../config-fields';
import { outboundUrlProblem, REGISTRATION_POLICY } from '../../outbound/policy';

/** The built-in OpenID providers, the ones configured by `OAUTH2_{ID}_*`. */
export const BUILT_IN_OIDC = ['google', 'microsoft', 'azure', 'okta', 'auth0'] as const;
export const BUILT_IN_IDS: readonly string[] = [...BUILT_IN_OIDC, 'github'];

/** Ids of generic providers: a path segment of `/auth/login/{id}`. */
const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface OidcProviderConfig {
  kind: 'oidc';
  /** Path segment of `/auth/login/{id}` and `/auth/callback/{id}`; stored with each linked identity. */
  id: string;
  /** Shown on the login page. */
  name: string;
  /** The issuer identifier; discovery is `{issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes asked for (always includes `openid`). */
  scope: string;
  /**
   * Microsoft's multi-tenant endpoints (`common`, `organizations`, `consumers`) publish the issuer
   * `https://login.microsoftonline.com/{tenantid}/v2.0`: the ID token's `iss` carries its `tid` claim.
   */
  tenantTemplate: boolean;
}

export interface GithubProviderConfig {
  kind: 'github';
  id: 'github';
  name: string;
  clientId: string;
  clientSecret: string;
  /** `https://github.com` (or a GitHub Enterprise Server): `/login/oauth/authorize`, `/login/oauth/access_token`. */
  baseUrl: string;
  /** `https://api.github.com` (Enterprise: `https://HOST/api/v3`): `/user`, `/user/emails`. */
  apiUrl: string;
}

export type ProviderConfig = OidcProviderConfig | GithubProviderConfig;

export interface UpstreamConfig {
  /** Enabled providers in login-page order. */
  providers: ProviderConfig[];
  /** `/auth/login/azure` served by the Microsoft provider when Azure has no settings of its own. */
  aliases: Record<string, string>;
  /** OAUTH2_SOCIAL_LINK_BY_EMAIL: link a first upstream sign-in to the local user with that verified e-mail. */
  linkByEmail: boolean;
  /** Deadline of every call to a provider (discovery, JWKS, token, userinfo, GitHub API). */
  timeoutMs: number;
}

/**
 * No query, fragment or credentials, and the outbound policy (a loopback provider, as in tests, is
 * called only where the running server allows loopback).
 */
export function upstreamUrlProblem(value: string): string | null {
  const url = URL.parse(value);
  if (!url || url.search || url.hash || url.username || url.password) {
    return 'must be an absolute URL without query, fragment or credentials';
  }
  return outboundUrlProblem(value, REGISTRATION_POLICY);
}

/** A DNS host name (Okta, Auth0 domains): letters, digits, dots and dashes, optional port. */
const DOMAIN =
  /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/i;
/** Microsoft tenants: a GUID, a verified domain, or `common` / `organizations` / `consumers`. */
const TENANT = /^[a-z0-9][a-z0-9.-]{0,252}$/i;

/** One generic OpenID provider in OAUTH2_OIDC_PROVIDERS. */
const GenericProvider = z
  .object({
    id: z.string().regex(PROVIDER_ID, 'id must be 1-32 of a-z 0-9 _ - (starting with a letter or digit)'),
    name: z.string().trim().min(1).max(64).optional(),
    issuer: z.string().max(2048),
    client_id: z.string().min(1).max(512),
    client_secret: z.string().min(1).max(2048),
    scope: z.string().max(512).optional(),
  })
  .strict();

const genericProviders = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a JSON array of {id, name, issuer, client_id, client_secret}',
      });
      return z.NEVER;
    }
    const parsed = z.array(GenericProvider).max(20).safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? first.path.join('.') : '';
      ctx.addIssue({ code: 'custom', message: `is invalid at [${where}]: ${first?.message ?? 'bad shape'}` });
      return z.NEVER;
    }
    const seen = new Set<string>();
    for (const [i, provider] of parsed.data.entries()) {
      const problem =
        upstreamUrlProblem(provider.issuer) ??
        (BUILT_IN_IDS.includes(provider.id) ? 'id is the name of a built-in provider' : null) ??
        (seen.has(provider.id) ? 'id is used twice' : null);
      if (problem !== null) {
        ctx.addIssue({ code: 'custom', message: `is invalid at [${i}]: ${problem}` });
        return z.NEVER;
      }
      seen.add(provider.id);
    }
    return parsed.data;
  });

/** An issuer or base URL of a provider (`upstreamUrlProblem`). */
const upstreamUrl = () =>
  text({ type: 'URL without query, fragment or credentials', check: upstreamUrlProblem });

const TENANT_MESSAGE = 'must be a tenant id, a domain, common, organizations or consumers';

/** A Microsoft tenant: a GUID, a verified domain, or `common` / `organizations` / `consumers`. */
const tenant = () =>
  text({
    type: 'tenant id, domain, `common`, `organizations` or `consumers`',
    check: (value) => (TENANT.test(value) ? null : TENANT_MESSAGE),
  });

/** A host name the issuer `https://{domain}` is derived from: the outbound policy applies to it too. */
const domain = (message: string) =>
  text({
    type: 'host name',
    check: (value) => (DOMAIN.test(value) ? upstreamUrlProblem(`https://${value}`) : message),
  });

export const UpstreamEnvShape = {
  OAUTH2_GOOGLE_CLIENT_ID: text(),
  OAUTH2_GOOGLE_CLIENT_SECRET: secret(),
  OAUTH2_GOOGLE_ISSUER: upstreamUrl(),
  OAUTH2_MICROSOFT_CLIENT_ID: text(),
  OAUTH2_MICROSOFT_CLIENT_SECRET: secret(),
  OAUTH2_MICROSOFT_TENANT_ID: tenant(),
  OAUTH2_MICROSOFT_ISSUER: upstreamUrl(),
  OAUTH2_AZURE_CLIENT_ID: text(),
  OAUTH2_AZURE_CLIENT_SECRET: secret(),
  OAUTH2_AZURE_TENANT_ID: tenant(),
  OAUTH2_AZURE_ISSUER: upstreamUrl(),
  OAUTH2_GITHUB_CLIENT_ID: text(),
  OAUTH2_GITHUB_CLIENT_SECRET: secret(),
  OAUTH2_GITHUB_BASE_URL: upstreamUrl(),
  OAUTH2_GITHUB_API_URL: upstreamUrl(),
  OAUTH2_OKTA_CLIENT_ID: text(),
  OAUTH2_OKTA_CLIENT_SECRET: secret(),
  OAUTH2_OKTA_DOMAIN: domain('must be a host name such as dev-123456.okta.com'),
  OAUTH2_OKTA_ISSUER: upstreamUrl(),
  OAUTH2_AUTH0_CLIENT_ID: text(),
  OAUTH2_AUTH0_CLIENT_SECRET: secret(),
  OAUTH2_AUTH0_DOMAIN: domain('must be a host name such as example.eu.auth0.com'),
  OAUTH2_AUTH0_ISSUER: upstreamUrl(),
  OAUTH2_OIDC_PROVIDERS: json(
    genericProviders,
    'JSON array of `{id, name, issuer, client_id, client_secret, scope?}`',
  ),
  OAUTH2_SOCIAL_LINK_BY_EMAIL: flagDefault(false),
  OAUTH2_UPSTREAM_TIMEOUT_MS: wholeNumber(10_000, 500, 60_000),
};

type UpstreamEnv = { [K in keyof typeof UpstreamEnvShape]: z.output<(typeof UpstreamEnvShape)[K]> };

type Prefix = 'GOOGLE' | 'MICROSOFT' | 'AZURE' | 'GITHUB' | 'OKTA' | 'AUTH0';

function credentials(env: UpstreamEnv, prefix: Prefix): { clientId: string; clientSecret: string } | null {
  const clientId = env[`OAUTH2_${prefix}_CLIENT_ID`];
  const clientSecret = env[`OAUTH2_${prefix}_CLIENT_SECRET`];
  return clientId !== undefined && clientSecret !== undefined ? { clientId, clientSecret } : null;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The issuer of a built-in OpenID provider, or null when neither its _ISSUER nor what it derives from is set. */
function builtInIssuer(env: UpstreamEnv, prefix: Exclude<Prefix, 'GITHUB'>): string | null {
  switch (prefix) {
    case 'GOOGLE':
      return env.OAUTH2_GOOGLE_ISSUER ?? 'https://accounts.google.com';
    case 'MICROSOFT':
      return env.OAUTH2_MICROSOFT_ISSUER ?? microsoftIssuer(env.OAUTH2_MICROSOFT_TENANT_ID);
    case 'AZURE':
      return (
        env.OAUTH2_AZURE_ISSUER ??
        microsoftIssuer(env.OAUTH2_AZURE_TENANT_ID ?? env.OAUTH2_MICROSOFT_TENANT_ID)
      );
    case 'OKTA':
      // The org authorization server; a custom one (`/oauth2/default`) is set with OAUTH2_OKTA_ISSUER.
      return env.OAUTH2_OKTA_ISSUER ?? (env.OAUTH2_OKTA_DOMAIN ? `https://${env.OAUTH2_OKTA_DOMAIN}` : null);
    case 'AUTH0':
      // Auth0's issuer ends with a slash.
      return (
        env.OAUTH2_AUTH0_ISSUER ?? (env.OAUTH2_AUTH0_DOMAIN ? `https://${env.OAUTH2_AUTH0_DOMAIN}/` : null)
      );
  }
}

/** Microsoft identity platform v2.0 issuer of a tenant (default `common`). */
export function microsoftIssuer(tenant: string | undefined): string {
  return `https://login.microsoftonline.com/${(tenant ?? 'common').toLowerCase()}/v2.0`;
}

const MULTI_TENANT = /\/(common|organizations|consumers)\/v2\.0\/?$/;

const DISPLAY: Record<(typeof BUILT_IN_OIDC)[number], string> = {
  google: 'Google',
  microsoft: 'Microsoft',
  azure: 'Microsoft Entra ID',
  okta: 'Okta',
  auth0: 'Auth0',
};

/** Misconfigured upstream providers (half-set credentials, an enabled provider without an issuer). */
export function upstreamProblems(env: UpstreamEnv): string[] {
  const problems: string[] = [];
  for (const prefix of ['GOOGLE', 'MICROSOFT', 'AZURE', 'GITHUB', 'OKTA', 'AUTH0'] as const) {
    const id = env[`OAUTH2_${prefix}_CLIENT_ID`];
    const secret = env[`OAUTH2_${prefix}_CLIENT_SECRET`];
    if (id !== undefined && secret === undefined) problems.push(`OAUTH2_${prefix}_CLIENT_SECRET is not set`);
    if (id === undefined && secret !== undefined) problems.push(`OAUTH2_${prefix}_CLIENT_ID is not set`);
  }
  if (credentials(env, 'OKTA') && builtInIssuer(env, 'OKTA') === null) {
    problems.push('OAUTH2_OKTA_DOMAIN is not set (or OAUTH2_OKTA_ISSUER)');
  }
  if (credentials(env, 'AUTH0') && builtInIssuer(env, 'AUTH0') === null) {
    problems.push('OAUTH2_AUTH0_DOMAIN is not set (or OAUTH2_AUTH0_ISSUER)');
  }
  return problems;
}

export function toUpstreamConfig(env: UpstreamEnv): UpstreamConfig {
  const providers: ProviderConfig[] = [];
  for (const id of BUILT_IN_OIDC) {
    if (id === 'okta' || id === 'auth0') continue;
    addOidc(env, id, providers);
  }
  const github = credentials(env, 'GITHUB');
  if (github) {
    providers.push({
      kind: 'github',
      id: 'github',
      name: 'GitHub',
      ...github,
      baseUrl: trimSlash(env.OAUTH2_GITHUB_BASE_URL ?? 'https://github.com'),
      apiUrl: trimSlash(env.OAUTH2_GITHUB_API_URL ?? 'https://api.github.com'),
    });
  }
  addOidc(env, 'okta', providers);
  addOidc(env, 'auth0', providers);
  for (const generic of env.OAUTH2_OIDC_PROVIDERS) {
    providers.push({
      kind: 'oidc',
      id: generic.id,
      name: generic.name ?? generic.id,
      issuer: generic.issuer,
      clientId: generic.client_id,
      clientSecret: generic.client_secret,
      scope: withOpenid(generic.scope ?? 'openid email profile'),
      tenantTemplate: false,
    });
  }
  const enabled = new Set(providers.map((p) => p.id));
  const aliases: Record<string, string> = {};
  if (!enabled.has('azure') && enabled.has('microsoft')) aliases.azure = 'microsoft';
  return {
    providers,
    aliases,
    linkByEmail: env.OAUTH2_SOCIAL_LINK_BY_EMAIL,
    timeoutMs: env.OAUTH2_UPSTREAM_TIMEOUT_MS,
  };
}

function addOidc(env: UpstreamEnv, id: (typeof BUILT_IN_OIDC)[number], out: ProviderConfig[]): void {
  const prefix = id.toUpperCase() as Exclude<Prefix, 'GITHUB'>;
  const creds = credentials(env, prefix);
  const issuer = builtInIssuer(env, prefix);
  if (!creds || issuer === null) return;
  out.push({
    kind: 'oidc',
    id,
    name: DISPLAY[id],
    issuer,
    ...creds,
    scope: 'openid email profile',
    tenantTemplate: (id === 'microsoft' || id === 'azure') && MULTI_TENANT.test(issuer),
  });
}

function withOpenid(scope: string): string {
  const scopes = scope.split(/\s+/).filter((s) => s.length > 0);
  return (scopes.includes('openid') ? scopes : ['openid', ...scopes]).join(' ');
}
