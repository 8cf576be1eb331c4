/**
 * Settings of the MCP authorization profile: the protected resources (APIs) this server issues tokens for,
 * with their scopes, token format and lifetime (`OAUTH2_PROTECTED_RESOURCES`, RFC 8707 / RFC 9728; see
 * docs/scopes.md) and the expiry of unused anonymous registrations
 * (`OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS`).
 */
import { z } from 'zod';
import { flagDefault, json, wholeNumber } from '../../config-fields';
import {
  type ApiScopes,
  type ConfiguredScope,
  ConfiguredScopeSchema,
  configuredScopesProblem,
  toConfiguredScope,
} from '../scopes/registry';
import { parseScope } from '../scopes/scope';
import { resourceProblem } from './indicators';

/** One protected resource an operator configured. */
export interface ProtectedResourceConfig {
  /** The resource identifier (RFC 8707 §2: absolute URI, no fragment); the `aud` of its tokens. */
  resource: string;
  /** RFC 9728 §2 `scopes_supported`: the scopes a client asks for to reach it. */
  scopesSupported: string[];
  /** RFC 9728 §2 `resource_name`. */
  name: string | undefined;
  /** The scopes this API defines (`scopes`): a token carrying one has this API as its audience. */
  scopes: ConfiguredScope[];
  /** The format of its access tokens; the server-wide one (OAUTH2_ACCESS_TOKENS_OPAQUE) when unset. */
  accessTokenFormat: 'jwt' | 'opaque' | undefined;
  /** The lifetime of its access tokens; at most (and by default) OAUTH2_ACCESS_TOKEN_TTL_SECS. */
  accessTokenTtlSecs: number | undefined;
  /** The id of an API defined through the admin API; unset for one from configuration. */
  storedId?: string | undefined;
}

const MAX_RESOURCES = 50;

const ResourceEntry = z
  .object({
    resource: z.string().superRefine((value, ctx) => {
      const problem = resourceProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `resource ${problem}` });
    }),
    scopes_supported: z
      .array(z.string())
      .max(64)
      .optional()
      .superRefine((scopes, ctx) => {
        try {
          parseScope((scopes ?? []).join(' '));
          if ((scopes ?? []).some((scope) => scope.includes(' ') || scope === ''))
            throw new Error('scope values are single tokens');
        } catch {
          ctx.addIssue({ code: 'custom', message: 'scopes_supported must be RFC 6749 scope tokens' });
        }
      }),
    name: z.string().min(1).max(200).optional(),
    scopes: z.array(ConfiguredScopeSchema).max(64).optional(),
    access_token_format: z.enum(['jwt', 'opaque']).optional(),
    access_token_ttl_secs: z.number().int().min(60).max(86_400).optional(),
  })
  .strict();

/**
 * `OAUTH2_PROTECTED_RESOURCES`: a JSON array of `{resource, scopes_supported?, name?, scopes?,
 * access_token_format?, access_token_ttl_secs?}`; unset = none. `scopes` are names or `{name, description}`.
 */
const protectedResources = z
  .string()
  .optional()
  .transform((value, ctx): ProtectedResourceConfig[] => {
    const text = (value ?? '').trim();
    if (text === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {resource, scopes_supported, name}' });
      return z.NEVER;
    }
    const parsed = z.array(ResourceEntry).max(MAX_RESOURCES).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `[${issue.path.join('].[')}]` : '';
      ctx.addIssue({ code: 'custom', message: `${where} ${issue?.message ?? 'is invalid'}`.trim() });
      return z.NEVER;
    }
    const seen = new Set<string>();
    for (const [index, entry] of parsed.data.entries()) {
      if (seen.has(entry.resource)) {
        ctx.addIssue({ code: 'custom', message: 'lists a resource twice' });
        return z.NEVER;
      }
      seen.add(entry.resource);
      const problem = configuredScopesProblem((entry.scopes ?? []).map(toConfiguredScope));
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `[${index}].[scopes] ${problem}` });
        return z.NEVER;
      }
    }
    return parsed.data.map(toProtectedResource);
  });

function toProtectedResource(entry: z.output<typeof ResourceEntry>): ProtectedResourceConfig {
  const scopes = (entry.scopes ?? []).map(toConfiguredScope);
  const listed = entry.scopes_supported ?? [];
  return {
    resource: entry.resource,
    // RFC 9728 §2 lets a resource leave some of its scopes out of its metadata.
    scopesSupported: [
      ...new Set([
        ...listed,
        ...scopes.filter((scope) => scope.advertise !== false).map((scope) => scope.name),
      ]),
    ],
    name: entry.name,
    scopes,
    accessTokenFormat: entry.access_token_format,
    accessTokenTtlSecs: entry.access_token_ttl_secs,
  };
}

/** The APIs' scopes, for the scope registry. */
export function apiScopes(resources: readonly ProtectedResourceConfig[]): ApiScopes[] {
  return resources.map((entry) => ({
    resource: entry.resource,
    defines: entry.scopes,
    lists: entry.scopesSupported.filter((name) => !entry.scopes.some((scope) => scope.name === name)),
  }));
}

/** An API's token lifetime must not outlive the server's: signing keys are retired after that. */
export function resourceTtlProblems(
  resources: readonly ProtectedResourceConfig[],
  accessTokenTtlSecs: number,
): string[] {
  return resources
    .filter((entry) => (entry.accessTokenTtlSecs ?? 0) > accessTokenTtlSecs)
    .map(
      (entry) =>
        `OAUTH2_PROTECTED_RESOURCES access_token_ttl_secs of ${entry.resource} exceeds OAUTH2_ACCESS_TOKEN_TTL_SECS`,
    );
}

export const ResourceEnvShape = {
  OAUTH2_PROTECTED_RESOURCES: json(
    protectedResources,
    'JSON array of `{resource, name?, scopes_supported?, scopes?, access_token_format?, access_token_ttl_secs?}`',
  ),
  /**
   * An anonymously registered client that has obtained no token this many seconds after registering
   * is deleted by the scheduled sweep (0 = never).
   */
  OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS: wholeNumber(86_400, 0, 31_536_000),
  /** An https URL as client_id names the client's metadata document (registration/client-id-metadata.ts). */
  OAUTH2_CLIENT_ID_METADATA_DOCUMENTS: flagDefault(false),
};

export interface ResourceConfig {
  protectedResources: ProtectedResourceConfig[];
  dynamicRegistrationUnusedTtlSecs: number;
  clientIdMetadataDocuments: boolean;
}

export function toResourceConfig(env: {
  OAUTH2_PROTECTED_RESOURCES: ProtectedResourceConfig[];
  OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS: number;
  OAUTH2_CLIENT_ID_METADATA_DOCUMENTS: boolean;
}): ResourceConfig {
  return {
    protectedResources: env.OAUTH2_PROTECTED_RESOURCES,
    dynamicRegistrationUnusedTtlSecs: env.OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS,
    clientIdMetadataDocuments: env.OAUTH2_CLIENT_ID_METADATA_DOCUMENTS,
  };
}
