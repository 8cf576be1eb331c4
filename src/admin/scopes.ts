/**
 * Scopes for administrators: those defined through the admin API (stored), beside the built-in and
 * configured ones (listed read-only). A change reloads this isolate's registry copy at once; other
 * isolates see it within REGISTRY_CACHE_TTL_SECS (src/oauth/scopes/stored-registry.ts).
 */
import { z } from 'zod';
import { InvalidRequestError, NotFoundError } from '../oauth/errors';
import { BUILT_IN_SCOPES, type ScopeDefinition } from '../oauth/scopes/registry';
import { isScopeToken } from '../oauth/scopes/scope';
import { MAX_STORED_SCOPES } from '../oauth/scopes/stored-registry';
import type { ScopeRecord } from '../storage/ports';
import { recordAudit } from './audit';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query } from './paging';
import { fixedProvenance, storedProvenance } from './provenance';
import { scopeHolders } from './scope-holders';
import { ConflictRequestError, conflictAs, parseInput } from './validation';

const SOURCES = ['built_in', 'configuration', 'admin'] as const;
const description = z
  .string('must be a string')
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
const advertise = z
  .boolean('must be true or false')
  .optional()
  .meta({ description: 'Listed in discovery scopes_supported (default true)' });

export const ScopeCreateSchema = z
  .strictObject({
    name: z
      .string('must be a string')
      .max(128, 'must be at most 128 characters')
      .refine(isScopeToken, 'must be an RFC 6749 scope token'),
    description,
    advertise,
  })
  .meta({ id: 'ScopeCreate' });

export const ScopeUpdateSchema = z
  .strictObject({
    name: z.string('must be a string').optional().meta({ description: 'If given, the name in the path' }),
    description,
    advertise,
  })
  .meta({ id: 'ScopeUpdate' });

export const ScopeViewSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    advertise: z.boolean(),
    resource: z.string().nullable().meta({ description: 'The identifier of the API the scope opens' }),
    source: z.enum(SOURCES),
    read_only: z.boolean().meta({ description: 'Built-in or from configuration: not changed here' }),
    created_at: z.number().int().nullable(),
    updated_at: z.number().int().nullable(),
  })
  .meta({ id: 'Scope' });

export const ScopePageSchema = pageSchema(ScopeViewSchema, 'ScopePage');
export type ScopeView = z.output<typeof ScopeViewSchema>;

function storedView(ctx: AdminContext, scope: ScopeRecord): ScopeView {
  return {
    name: scope.name,
    description: scope.description,
    advertise: scope.advertise,
    resource: ctx.config.scopes.apiFor(scope.name) ?? null,
    ...storedProvenance(scope),
  };
}

function fixedView(scope: ScopeDefinition): ScopeView {
  return {
    name: scope.name,
    description: scope.description,
    advertise: scope.advertise,
    resource: scope.resource ?? null,
    ...fixedProvenance(scope.builtIn ? 'built_in' : 'configuration'),
  };
}

/** A built-in or configured scope of this name, or undefined. */
function fixedScope(ctx: AdminContext, name: string): ScopeDefinition | undefined {
  const known = ctx.config.scopes.get(name);
  return known && !known.stored ? known : undefined;
}

function refuseFixed(ctx: AdminContext, name: string): void {
  const fixed = fixedScope(ctx, name);
  if (fixed) {
    const why = fixed.builtIn ? 'is built in' : 'comes from configuration';
    throw new ConflictRequestError(`scope ${name} ${why} and is read-only`);
  }
}

/**
 * The stored scopes, newest first; the first page (no cursor, no offset) starts with the built-in and
 * configured ones (read-only).
 */
export async function listScopes(ctx: AdminContext, query: Query): Promise<PageView<ScopeView>> {
  const page = parsePageQuery(query);
  const stored = await pageOf(
    () => ctx.storage.scopes.list(page),
    (scope) => storedView(ctx, scope),
  );
  if (page.cursor !== undefined || (page.offset ?? 0) > 0) return stored;
  const fixed = ctx.config.scopes
    .all()
    .filter((scope) => !scope.stored)
    .map(fixedView);
  return { ...stored, items: [...fixed, ...stored.items] };
}

export async function getScope(ctx: AdminContext, name: string): Promise<ScopeView> {
  const fixed = fixedScope(ctx, name);
  if (fixed) return fixedView(fixed);
  const scope = isScopeToken(name) ? await ctx.storage.scopes.get(name) : null;
  if (!scope) throw new NotFoundError('no such scope');
  return storedView(ctx, scope);
}

/** Defines a scope (201); built-in names are refused, configured ones and existing ones are 409. */
export async function createScope(ctx: AdminContext, body: unknown): Promise<ScopeView> {
  const input = parseInput(ScopeCreateSchema, body);
  if (BUILT_IN_SCOPES.has(input.name)) {
    throw new InvalidRequestError(`invalid name: built-in scope ${input.name} cannot be defined`);
  }
  refuseFixed(ctx, input.name);
  if ((await ctx.storage.scopes.all(MAX_STORED_SCOPES)).length >= MAX_STORED_SCOPES) {
    throw new ConflictRequestError(`at most ${MAX_STORED_SCOPES} scopes can be defined`);
  }
  const now = ctx.clock.nowSecs();
  const scope: ScopeRecord = {
    name: input.name,
    description: input.description,
    advertise: input.advertise ?? true,
    createdAt: now,
    updatedAt: now,
  };
  await conflictAs(`scope ${scope.name} exists already`, () => ctx.storage.scopes.create(scope));
  await recordAudit(ctx, 'scope.create', { kind: 'scope', id: scope.name });
  await ctx.scopeRegistry.reload();
  return storedView(ctx, scope);
}

/** Replaces a stored scope's description and advertise flag. */
export async function updateScope(ctx: AdminContext, name: string, body: unknown): Promise<ScopeView> {
  const input = parseInput(ScopeUpdateSchema, body);
  if (input.name !== undefined && input.name !== name) {
    throw new InvalidRequestError('invalid name: must be the name in the path');
  }
  refuseFixed(ctx, name);
  const existing = isScopeToken(name) ? await ctx.storage.scopes.get(name) : null;
  if (!existing) throw new NotFoundError('no such scope');
  const scope: ScopeRecord = {
    ...existing,
    description: input.description,
    advertise: input.advertise ?? true,
    updatedAt: ctx.clock.nowSecs(),
  };
  if (!(await ctx.storage.scopes.update(scope))) throw new NotFoundError('no such scope');
  await recordAudit(ctx, 'scope.update', { kind: 'scope', id: name });
  await ctx.scopeRegistry.reload();
  return storedView(ctx, scope);
}

/** Deletes a stored scope; 409 naming the clients or APIs that still hold it. */
export async function deleteScope(ctx: AdminContext, name: string): Promise<void> {
  refuseFixed(ctx, name);
  const existing = isScopeToken(name) ? await ctx.storage.scopes.get(name) : null;
  if (!existing) throw new NotFoundError('no such scope');
  const holders = await scopeHolders(ctx, name);
  if (holders.apis.length > 0) {
    throw new ConflictRequestError(`scope ${name} belongs to APIs: ${holders.apis.join(', ')}`);
  }
  if (holders.clients.length > 0) {
    throw new ConflictRequestError(`scope ${name} is held by clients: ${holders.clients.join(', ')}`);
  }
  if (!(await ctx.storage.scopes.delete(name))) throw new NotFoundError('no such scope');
  await recordAudit(ctx, 'scope.delete', { kind: 'scope', id: name });
  await ctx.scopeRegistry.reload();
}
