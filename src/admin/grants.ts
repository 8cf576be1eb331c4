/**
 * Grants (token families) for administrators: listed by client and/or user, revoked singly or in bulk.
 * Revoking a grant goes through its TokenActor (its access tokens, JWT or opaque, go inactive at once,
 * and its refresh-token family ends) and marks the grant revoked in storage for the listings.
 */
import { z } from 'zod';
import { InvalidRequestError, NotFoundError } from '../oauth/errors';
import { type RevocationReason, tokenRevoked } from '../oauth/events';
import type { GrantRecord } from '../storage/ports';
import { announceAudit, auditEntry } from './audit';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query, searchParam } from './paging';
import { parseInput } from './validation';

/** At most this many grants are revoked by one bulk request; repeat while `more` is true. */
export const BULK_REVOKE_LIMIT = 100;
/** Token actors called at once during a bulk revocation. */
const BULK_CONCURRENCY = 10;
/**
 * Pages one credential change revokes: two actor calls per grant keep the request within the platform's
 * subrequest budget; anything beyond is left to a bulk revocation (a warning is logged).
 */
const USER_REVOKE_PAGES = 4;

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
  const now = ctx.clock.nowSecs();
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
  return grantView(await storedGrant(ctx, id), ctx.clock.nowSecs());
}

/**
 * Revokes a whole token family; revoking an already revoked grant changes nothing. `reason` labels the
 * `token_revoked` event: an administrator's revocation, or a user's own (the audit entry names the actor).
 */
export async function revokeGrant(
  ctx: AdminContext,
  id: string,
  reason: Extract<RevocationReason, 'admin' | 'user_request'> = 'admin',
): Promise<GrantView> {
  const grant = await storedGrant(ctx, id);
  const now = ctx.clock.nowSecs();
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
  if (announce) publishRevoked(ctx, grant, reason);
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
  return revokeActivePage(ctx, input, 'admin');
}

/**
 * Revokes every active grant of a user, page by page as the bulk revocation does (an audit entry per
 * page, `token_revoked` per grant): their refresh tokens and opaque access tokens stop working and their
 * JWT access tokens introspect inactive. Called when the user's password, role or standing changes, so
 * a grant obtained with the old credentials does not outlive them. The number of grants revoked.
 */
export async function revokeUserGrants(
  ctx: AdminContext,
  userId: string,
  reason: RevocationReason,
): Promise<number> {
  let revoked = 0;
  for (let page = 0; page < USER_REVOKE_PAGES; page++) {
    const result = await revokeActivePage(ctx, { user_id: userId }, reason);
    revoked += result.revoked;
    if (!result.more) return revoked;
  }
  console.warn(
    JSON.stringify({
      level: 'warn',
      msg: 'a user has more active grants than one request revokes; revoke the rest with POST /admin/api/grants/revoke',
      user_id: userId,
      revoked,
    }),
  );
  return revoked;
}

/** Up to BULK_REVOKE_LIMIT active grants of a client and/or user (newest first): revoked, audited, announced. */
async function revokeActivePage(
  ctx: AdminContext,
  input: { client_id?: string | undefined; user_id?: string | undefined },
  reason: RevocationReason,
): Promise<BulkRevokeResult> {
  const now = ctx.clock.nowSecs();
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
  for (const grant of announce) publishRevoked(ctx, grant, reason);
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
  const alreadyRevoked = grant.revokedAt !== null || (await ctx.tokens.isRevoked(grant.id));
  await ctx.tokens.revoke(grant.id, Math.max(grant.expiresAt, now + ctx.config.accessTokenTtlSecs));
  return !alreadyRevoked;
}

/** `token_revoked`, as every other revocation path publishes it. */
function publishRevoked(ctx: AdminContext, grant: GrantRecord, reason: RevocationReason = 'admin'): void {
  ctx.events.publish(tokenRevoked(grant.id, reason, { clientId: grant.clientId, userId: grant.userId }));
}
