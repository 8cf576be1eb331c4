/**
 * Grants (token families) for administrators: listed by client and/or user, revoked singly or in bulk.
 * Revoking a grant goes through its TokenActor (its access tokens, JWT or opaque, go inactive at once,
 * and its refresh-token family ends) and marks the grant revoked in storage for the listings.
 */
import { z } from 'zod';
import { InvalidRequestError, NotFoundError } from '../oauth/errors';
import { tokenRevoked } from '../oauth/events';
import type { GrantRecord } from '../storage/ports';
import { announceAudit, auditEntry } from './audit';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query, searchParam } from './paging';
import { parseInput } from './validation';

/** At most this many grants are revoked by one bulk request; repeat while `more` is true. */
export const BULK_REVOKE_LIMIT = 100;
/** Token actors called at once during a bulk revocation. */
const BULK_CONCURRENCY = 10;

export const GrantViewSchema = z
  .object({
    id: z.string(),
    client_id: z.string(),
    user_id: z.string().nullable(),
    grant_type: z.string().meta({ example: 'authorization_code' }),
    scope: z.string(),
    status: z.enum(['active', 'revoked', 'expired']),
    created_at: z.number().int().meta({ description: 'Unix time, seconds' }),
    expires_at: z.number().int(),
    revoked_at: z.number().int().nullable(),
  })
  .meta({ id: 'Grant' });

export const GrantPageSchema = pageSchema(GrantViewSchema, 'GrantPage');

export const GrantQuerySchema = z.object({
  client_id: z.string().optional().meta({ description: 'Only grants of this client' }),
  user_id: z.string().optional().meta({ description: 'Only grants of this user' }),
  active: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'true: only grants neither revoked nor expired' }),
});

export const BulkRevokeSchema = z
  .strictObject({
    client_id: z.string('must be a string').min(1, 'must not be empty').max(255).optional(),
    user_id: z.string('must be a string').min(1, 'must not be empty').max(255).optional(),
  })
  .meta({ id: 'BulkRevoke', description: 'At least one of client_id and user_id' });

export const BulkRevokeResultSchema = z
  .object({
    revoked: z
      .number()
      .int()
      .meta({ description: `Grants revoked by this call (at most ${BULK_REVOKE_LIMIT})` }),
    grant_ids: z.array(z.string()),
    more: z.boolean().meta({ description: 'Active grants remain: call again' }),
  })
  .meta({ id: 'BulkRevokeResult' });

export type GrantView = z.output<typeof GrantViewSchema>;
export type BulkRevokeResult = z.output<typeof BulkRevokeResultSchema>;

export function grantView(grant: GrantRecord, now: number): GrantView {
  return {
    id: grant.id,
    client_id: grant.clientId,
    user_id: grant.userId,
    grant_type: grant.grantType,
    scope: grant.scope,
    status: grant.revokedAt !== null ? 'revoked' : grant.expiresAt <= now ? 'expired' : 'active',
    created_at: grant.createdAt,
    expires_at: grant.expiresAt,
    revoked_at: grant.revokedAt,
  };
}

/** Grants, newest first, optionally of one client and/or user, optionally only active ones. */
export function listGrants(ctx: AdminContext, query: Query): Promise<PageView<GrantView>> {
  const page = parsePageQuery(query);
  const active = query.active;
  if (active !== undefined && active !== 'true' && active !== 'false') {
    throw new InvalidRequestError('invalid active: must be true or false');
  }
  const now = ctx.now();
  const filter = {
    ...page,
    clientId: searchParam(query, 'client_id', 255),
    userId: searchParam(query, 'user_id', 255),
    activeAt: active === 'true' ? now : undefined,
  };
  return pageOf(
    () => ctx.storage.grants.list(filter),
    (grant) => grantView(grant, now),
  );
}

export async function getGrant(ctx: AdminContext, id: string): Promise<GrantView> {
  return grantView(await storedGrant(ctx, id), ctx.now());
}

/** Revokes a whole token family; revoking an already revoked grant changes nothing. */
export async function revokeGrant(ctx: AdminContext, id: string): Promise<GrantView> {
  const grant = await storedGrant(ctx, id);
  const now = ctx.now();
  const announce = await revokeInActor(ctx, grant, now);
  const audit = auditEntry(
    ctx,
    'grant.revoke',
    { kind: 'grant', id },
    {
      grant_client_id: grant.clientId,
      grant_user_id: grant.userId,
    },
  );
  // The admin record of the revocation and its audit entry: all or nothing.
  await ctx.storage.atomically((unit) => {
    if (grant.revokedAt === null) unit.grants.markRevoked(grant.id, now);
    unit.auditLog.append(audit);
  });
  await announceAudit(ctx, audit);
  if (announce) publishRevoked(ctx, grant);
  return grantView(grant.revokedAt === null ? { ...grant, revokedAt: now } : grant, now);
}

/**
 * Revokes up to BULK_REVOKE_LIMIT active grants of a client and/or user (newest first). The work per
 * request is bounded (subrequest limits): `more` says whether active grants remain, and the caller
 * repeats the request until it is false.
 */
export async function revokeGrants(ctx: AdminContext, body: unknown): Promise<BulkRevokeResult> {
  const input = parseInput(BulkRevokeSchema, body);
  if (input.client_id === undefined && input.user_id === undefined) {
    throw new InvalidRequestError('missing required field client_id or user_id');
  }
  const now = ctx.now();
  const page = await ctx.storage.grants.list({
    limit: BULK_REVOKE_LIMIT,
    clientId: input.client_id,
    userId: input.user_id,
    activeAt: now,
  });
  const ids: string[] = [];
  const announce: GrantRecord[] = [];
  for (let i = 0; i < page.items.length; i += BULK_CONCURRENCY) {
    const batch = page.items.slice(i, i + BULK_CONCURRENCY);
    const fresh = await Promise.all(batch.map((grant) => revokeInActor(ctx, grant, now)));
    announce.push(...batch.filter((_, j) => fresh[j]));
    ids.push(...batch.map((grant) => grant.id));
  }
  const audit = auditEntry(
    ctx,
    'grant.revoke_bulk',
    { kind: 'grant', id: null },
    {
      filter: { client_id: input.client_id ?? null, user_id: input.user_id ?? null },
      revoked: ids.length,
      grant_ids: ids,
    },
  );
  // Every grant record and the audit entry in one change (at most BULK_REVOKE_LIMIT + 1 writes).
  await ctx.storage.atomically((unit) => {
    for (const grant of page.items) unit.grants.markRevoked(grant.id, now);
    unit.auditLog.append(audit);
  });
  await announceAudit(ctx, audit);
  for (const grant of announce) publishRevoked(ctx, grant);
  return { revoked: ids.length, grant_ids: ids, more: page.nextCursor !== null };
}

async function storedGrant(ctx: AdminContext, id: string): Promise<GrantRecord> {
  const grant = id.length <= 255 ? await ctx.storage.grants.get(id) : null;
  if (!grant) throw new NotFoundError('no such grant');
  return grant;
}

/**
 * The actor first: that is what makes the tokens inactive (the record and the audit entry follow, in one
 * storage change). The actor keeps the revoked mark until every access token the grant can have issued
 * has expired. True when this revoked the grant (it was live), i.e. `token_revoked` is to be published.
 */
async function revokeInActor(ctx: AdminContext, grant: GrantRecord, now: number): Promise<boolean> {
  // The record can lag behind the actor (a client's own revocation is mirrored through the queue).
  const alreadyRevoked = grant.revokedAt !== null || (await ctx.tokens.isGrantRevoked(grant.id));
  await ctx.tokens.revokeGrant(grant.id, Math.max(grant.expiresAt, now + ctx.config.accessTokenTtlSecs));
  return !alreadyRevoked;
}

/** `token_revoked` (reason `admin`), as every other revocation path publishes it. */
function publishRevoked(ctx: AdminContext, grant: GrantRecord): void {
  ctx.events.publish(tokenRevoked(grant.id, 'admin', { clientId: grant.clientId, userId: grant.userId }));
}
