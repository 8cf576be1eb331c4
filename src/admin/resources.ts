/**
 * APIs (protected resources, RFC 8707 / RFC 9728) for administrators: those defined through the admin
 * API (stored), beside the configured ones (listed read-only, addressed by their identifier). An API's
 * scopes are stored scopes (see scopes.ts); each belongs to at most one API, whose identifier becomes
 * the `aud` of tokens carrying it. A change reloads this isolate's registry copy at once; other isolates
 * see it within REGISTRY_CACHE_TTL_SECS (src/oauth/scopes/stored-registry.ts).
 */
import { z } from 'zod';
import { randomId } from '../crypto/random';
import { InvalidRequestError, NotFoundError } from '../oauth/errors';
import type { ProtectedResourceConfig } from '../oauth/resources/config';
import { mcpResource, resourceProblem } from '../oauth/resources/indicators';
import { isScopeToken } from '../oauth/scopes/scope';
import { MAX_STORED_RESOURCES } from '../oauth/scopes/stored-registry';
import type { ResourceRecord } from '../storage/ports';
import { recordAudit } from './audit';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query } from './paging';
import { fixedProvenance, storedProvenance } from './provenance';
import { ConflictRequestError, conflictAs, parseInput } from './validation';

/** Another stored API has the identifier: 409. */
const TAKEN = 'an API with this identifier exists';

export const ResourceInputSchema = z
  .strictObject({
    identifier: z
      .string('must be a string')
      .superRefine((value, issue) => {
        const problem = resourceProblem(value);
        if (problem) issue.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: 'The resource URI (absolute, no fragment): the aud of its tokens' }),
    name: z.string('must be a string').trim().min(1).max(200).nullable().optional(),
    scopes: z
      .array(z.string('must be a string').refine(isScopeToken, 'must be an RFC 6749 scope token'))
      .max(64, 'must list at most 64 scopes')
      .optional()
      .meta({ description: 'Names of scopes defined through /admin/api/scopes; each opens only this API' }),
    access_token_format: z.enum(['jwt', 'opaque'], 'must be jwt or opaque').nullable().optional(),
    access_token_ttl_secs: z
      .number('must be a number of seconds')
      .int('must be a whole number of seconds')
      .min(60, 'must be at least 60')
      .nullable()
      .optional(),
  })
  .meta({ id: 'ResourceInput' });

export const ResourceViewSchema = z
  .object({
    id: z.string().meta({ description: 'For one from configuration: its identifier' }),
    identifier: z.string(),
    name: z.string().nullable(),
    scopes: z.array(z.string()),
    access_token_format: z.enum(['jwt', 'opaque']).nullable(),
    access_token_ttl_secs: z.number().int().nullable(),
    source: z.enum(['configuration', 'admin']),
    read_only: z.boolean(),
    created_at: z.number().int().nullable(),
    updated_at: z.number().int().nullable(),
  })
  .meta({ id: 'Resource' });

export const ResourcePageSchema = pageSchema(ResourceViewSchema, 'ResourcePage');
export type ResourceView = z.output<typeof ResourceViewSchema>;
type ResourceInput = z.output<typeof ResourceInputSchema>;

function storedView(resource: ResourceRecord): ResourceView {
  return {
    id: resource.id,
    identifier: resource.identifier,
    name: resource.name,
    scopes: resource.scopes,
    access_token_format: resource.accessTokenFormat,
    access_token_ttl_secs: resource.accessTokenTtlSecs,
    ...storedProvenance(resource),
  };
}

function configuredView(resource: ProtectedResourceConfig): ResourceView {
  return {
    id: resource.resource,
    identifier: resource.resource,
    name: resource.name ?? null,
    scopes: [...new Set([...resource.scopes.map((scope) => scope.name), ...resource.scopesSupported])],
    access_token_format: resource.accessTokenFormat ?? null,
    access_token_ttl_secs: resource.accessTokenTtlSecs ?? null,
    ...fixedProvenance('configuration'),
  };
}

function configured(ctx: AdminContext, identifier: string): ProtectedResourceConfig | undefined {
  return ctx.config.protectedResources.find(
    (entry) => entry.storedId === undefined && entry.resource === identifier,
  );
}

/** The stored APIs, newest first; the first page (no cursor, no offset) starts with the configured ones. */
export async function listResources(ctx: AdminContext, query: Query): Promise<PageView<ResourceView>> {
  const page = parsePageQuery(query);
  const stored = await pageOf(() => ctx.storage.resources.list(page), storedView);
  if (page.cursor !== undefined || (page.offset ?? 0) > 0) return stored;
  const fixed = ctx.config.protectedResources
    .filter((entry) => entry.storedId === undefined)
    .map(configuredView);
  return { ...stored, items: [...fixed, ...stored.items] };
}

export async function getResource(ctx: AdminContext, id: string): Promise<ResourceView> {
  const fixed = configured(ctx, id);
  if (fixed) return configuredView(fixed);
  const resource = id.length <= 255 ? await ctx.storage.resources.get(id) : null;
  if (!resource) throw new NotFoundError('no such resource');
  return storedView(resource);
}

/** Why `input` cannot be stored as API `id` (undefined for a new one), thrown as 400 or 409. */
async function checkInput(ctx: AdminContext, input: ResourceInput, id: string | undefined): Promise<void> {
  if (input.identifier === ctx.issuer || input.identifier === mcpResource(ctx.issuer)) {
    throw new InvalidRequestError('invalid identifier: names this server itself');
  }
  if (configured(ctx, input.identifier)) {
    throw new ConflictRequestError('an API with this identifier comes from configuration');
  }
  const ttl = input.access_token_ttl_secs;
  if (ttl !== undefined && ttl !== null && ttl > ctx.config.accessTokenTtlSecs) {
    throw new InvalidRequestError(
      `invalid access_token_ttl_secs: must be at most ${ctx.config.accessTokenTtlSecs} (the server's lifetime)`,
    );
  }
  const others = (await ctx.storage.resources.all(MAX_STORED_RESOURCES)).filter((api) => api.id !== id);
  if (id === undefined && others.length >= MAX_STORED_RESOURCES) {
    throw new ConflictRequestError(`at most ${MAX_STORED_RESOURCES} APIs can be defined`);
  }
  for (const [index, name] of (input.scopes ?? []).entries()) {
    if (!(await ctx.storage.scopes.get(name))) {
      throw new InvalidRequestError(
        `invalid scopes[${index}]: ${name} is not a scope defined through the admin API`,
      );
    }
    const owner = others.find((api) => api.scopes.includes(name));
    if (owner) throw new ConflictRequestError(`scope ${name} belongs to API ${owner.identifier}`);
  }
}

function toRecord(input: ResourceInput, id: string, createdAt: number, now: number): ResourceRecord {
  return {
    id,
    identifier: input.identifier,
    name: input.name ?? null,
    scopes: [...new Set(input.scopes ?? [])],
    accessTokenFormat: input.access_token_format ?? null,
    accessTokenTtlSecs: input.access_token_ttl_secs ?? null,
    createdAt,
    updatedAt: now,
  };
}

/** Defines an API (201). */
export async function createResource(ctx: AdminContext, body: unknown): Promise<ResourceView> {
  const input = parseInput(ResourceInputSchema, body);
  await checkInput(ctx, input, undefined);
  const now = ctx.clock.nowSecs();
  const resource = toRecord(input, randomId(), now, now);
  await conflictAs(TAKEN, () => ctx.storage.resources.create(resource));
  await recordAudit(
    ctx,
    'resource.create',
    { kind: 'resource', id: resource.id },
    { identifier: resource.identifier },
  );
  await ctx.scopeRegistry.reload();
  return storedView(resource);
}

/** Replaces a stored API (every field); 409 for one from configuration. */
export async function updateResource(ctx: AdminContext, id: string, body: unknown): Promise<ResourceView> {
  if (configured(ctx, id))
    throw new ConflictRequestError('this API comes from configuration and is read-only');
  const input = parseInput(ResourceInputSchema, body);
  const existing = id.length <= 255 ? await ctx.storage.resources.get(id) : null;
  if (!existing) throw new NotFoundError('no such resource');
  await checkInput(ctx, input, id);
  const resource = toRecord(input, id, existing.createdAt, ctx.clock.nowSecs());
  if (!(await conflictAs(TAKEN, () => ctx.storage.resources.update(resource)))) {
    throw new NotFoundError('no such resource');
  }
  await recordAudit(ctx, 'resource.update', { kind: 'resource', id }, { identifier: resource.identifier });
  await ctx.scopeRegistry.reload();
  return storedView(resource);
}

/** Deletes a stored API; its scopes stay, of no particular API. 409 for one from configuration. */
export async function deleteResource(ctx: AdminContext, id: string): Promise<void> {
  if (configured(ctx, id))
    throw new ConflictRequestError('this API comes from configuration and is read-only');
  const existing = id.length <= 255 ? await ctx.storage.resources.get(id) : null;
  if (!existing || !(await ctx.storage.resources.delete(id))) throw new NotFoundError('no such resource');
  await recordAudit(ctx, 'resource.delete', { kind: 'resource', id }, { identifier: existing.identifier });
  await ctx.scopeRegistry.reload();
}
