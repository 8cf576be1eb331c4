/**
 * The denylist for administrators: entries by client address (IP or CIDR block), user id, username,
 * e-mail or client_id, each with an optional expiry. Enforcement (before authentication) reads a
 * per-isolate copy (src/denylist/cache.ts): a change made here applies at once in this isolate and
 * within DENYLIST_CACHE_TTL_SECS everywhere else. Adding a user, username or e-mail entry also ends
 * that user's sessions.
 */
import { z } from 'zod';
import { randomId } from '../crypto/random';
import { DENYLIST_MAX_ENTRIES, formatIpBlock, normalizeDenyValue, parseIpBlock } from '../denylist';
import { InvalidRequestError, NotFoundError } from '../oauth/errors';
import { endingSessions, publishBackchannelLogout } from '../oidc/backchannel-logout';
import type { DenyEntry, DenyKind, UserRecord, Written } from '../storage/ports';
import { announceAudit, auditEntry } from './audit';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query } from './paging';
import { conflictAs, parseInput } from './validation';

export const DENY_KINDS = [
  'ip',
  'user',
  'username',
  'email',
  'client',
] as const satisfies readonly DenyKind[];
/** The longest expiry accepted: ten years. */
const MAX_EXPIRY_SECS = 10 * 365 * 86_400;

export const DenyEntryCreateSchema = z
  .strictObject({
    kind: z.enum(DENY_KINDS, 'must be one of ip, user, username, email, client').meta({
      description:
        'ip: an address or CIDR block (CF-Connecting-IP); user: a user id; username; email; client: a client_id',
    }),
    value: z
      .string('must be a string')
      .min(1, 'must not be empty')
      .max(320, 'must be at most 320 characters'),
    reason: z.string('must be a string').max(500, 'must be at most 500 characters').nullable().optional(),
    expires_at: z
      .number('must be a Unix time in seconds')
      .int('must be a whole number of seconds')
      .nullable()
      .optional()
      .meta({ description: 'Unix time (seconds) when the entry stops applying; omitted or null: never' }),
    expires_in: z
      .number('must be a number of seconds')
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(MAX_EXPIRY_SECS, `must be at most ${MAX_EXPIRY_SECS}`)
      .optional()
      .meta({ description: 'Alternative to expires_at: seconds from now' }),
  })
  .meta({ id: 'DenyEntryCreate' });

export const DenyEntryViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(DENY_KINDS),
    value: z
      .string()
      .meta({ description: 'Normalised: canonical IP or CIDR, lower-cased username and e-mail' }),
    reason: z.string().nullable(),
    created_by: z.string().meta({ description: 'The admin (user id or client_id) who added it' }),
    created_at: z.number().int().meta({ description: 'Unix time, seconds' }),
    expires_at: z.number().int().nullable(),
    active: z.boolean().meta({ description: 'In force now (not expired)' }),
  })
  .meta({ id: 'DenyEntry' });

export const DenyEntryPageSchema = pageSchema(DenyEntryViewSchema, 'DenyEntryPage');

export const DenylistQuerySchema = z.object({
  kind: z.enum(DENY_KINDS).optional().meta({ description: 'Only entries of this kind' }),
});

export type DenyEntryView = z.output<typeof DenyEntryViewSchema>;
export type DenyEntryInput = z.input<typeof DenyEntryCreateSchema>;

export function denyEntryView(entry: DenyEntry, now: number): DenyEntryView {
  return {
    id: entry.id,
    kind: entry.kind,
    value: entry.value,
    reason: entry.reason,
    created_by: entry.createdBy,
    created_at: entry.createdAt,
    expires_at: entry.expiresAt,
    active: entry.expiresAt === null || entry.expiresAt > now,
  };
}

/** Every entry (expired ones too, until they are swept), newest first, optionally of one kind. */
export function listDenylist(ctx: AdminContext, query: Query): Promise<PageView<DenyEntryView>> {
  const page = parsePageQuery(query);
  const kind = query.kind;
  if (kind !== undefined && !(DENY_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidRequestError('invalid kind: must be one of ip, user, username, email, client');
  }
  const now = ctx.clock.nowSecs();
  return pageOf(
    () => ctx.storage.denylist.list({ ...page, kind: kind as DenyKind | undefined }),
    (entry) => denyEntryView(entry, now),
  );
}

export async function getDenyEntry(ctx: AdminContext, id: string): Promise<DenyEntryView> {
  const entry = id.length <= 255 ? await ctx.storage.denylist.get(id) : null;
  if (!entry) throw new NotFoundError('no such denylist entry');
  return denyEntryView(entry, ctx.clock.nowSecs());
}

/** Adds an entry (201); 409 when one of the same kind and value is in force. */
export async function addDenyEntry(ctx: AdminContext, body: unknown): Promise<DenyEntryView> {
  const input = parseInput(DenyEntryCreateSchema, body);
  const now = ctx.clock.nowSecs();
  const expiresAt = expiry(input, now);
  const { value, user } = await normalizedTarget(ctx, input.kind, input.value);
  const entry: DenyEntry = {
    id: randomId(),
    kind: input.kind,
    value,
    reason: input.reason ?? null,
    createdBy: ctx.actor.actorId,
    createdAt: now,
    expiresAt,
  };
  // An expired entry of the same kind and value would block the new one: sweep expired entries first.
  await ctx.storage.denylist.deleteExpired(now);
  // The sessions about to end, for OIDC Back-Channel Logout (their sids), read before the change.
  const ending = user === null ? null : await endingSessions(ctx, user.id);
  const audit = auditEntry(
    ctx,
    'denylist.add',
    { kind: 'denylist', id: entry.id },
    {
      kind: entry.kind,
      value: entry.value,
      expires_at: entry.expiresAt,
      ...(user === null ? {} : { user_id: user.id, sessions_ended: true }),
    },
  );
  // The entry, the end of the user's sessions and the audit entry: all or nothing.
  await conflictAs(`an entry for this ${input.kind} exists already`, () =>
    ctx.storage.atomically((unit) => {
      unit.denylist.add(entry);
      if (user !== null) unit.sessions.deleteByUser(user.id);
      unit.auditLog.append(audit);
    }),
  );
  ctx.denylist.invalidate();
  await announceAudit(ctx, audit);
  if (ending !== null) await publishBackchannelLogout(ctx, ending, 'admin_denylist');
  return denyEntryView(entry, now);
}

/**
 * Removes an entry with its audit entry, all or nothing; it stops applying at once here, within
 * DENYLIST_CACHE_TTL_SECS elsewhere.
 */
export async function removeDenyEntry(ctx: AdminContext, id: string): Promise<void> {
  const entry = id.length <= 255 ? await ctx.storage.denylist.get(id) : null;
  if (!entry) throw new NotFoundError('no such denylist entry');
  const audit = auditEntry(
    ctx,
    'denylist.remove',
    { kind: 'denylist', id },
    { kind: entry.kind, value: entry.value },
  );
  let removed: Written | undefined;
  await ctx.storage.atomically((unit) => {
    removed = unit.denylist.delete(id);
    unit.auditLog.append(audit);
  });
  ctx.denylist.invalidate();
  // Removed meanwhile by another request (which recorded its own audit entry).
  if ((removed?.changes ?? 0) === 0) throw new NotFoundError('no such denylist entry');
  await announceAudit(ctx, audit);
}

function expiry(input: z.output<typeof DenyEntryCreateSchema>, now: number): number | null {
  if (input.expires_in !== undefined) {
    if (input.expires_at !== undefined && input.expires_at !== null) {
      throw new InvalidRequestError('invalid expires_in: send expires_at or expires_in, not both');
    }
    return now + input.expires_in;
  }
  const at = input.expires_at ?? null;
  if (at !== null && (at <= now || at > now + MAX_EXPIRY_SECS)) {
    throw new InvalidRequestError('invalid expires_at: must be in the future, within ten years');
  }
  return at;
}

/** The stored value of an entry, and the user it names (whose sessions then end). */
async function normalizedTarget(
  ctx: AdminContext,
  kind: DenyKind,
  raw: string,
): Promise<{ value: string; user: UserRecord | null }> {
  const text = raw.trim();
  switch (kind) {
    case 'ip': {
      const block = parseIpBlock(text);
      if (block === null) throw new InvalidRequestError('invalid value: must be an IP address or CIDR block');
      return { value: formatIpBlock(block), user: null };
    }
    case 'user': {
      const user = await ctx.storage.users.getById(text);
      if (!user) throw new InvalidRequestError('invalid value: no such user');
      return { value: user.id, user };
    }
    case 'username': {
      const value = normalizeDenyValue(kind, text);
      return { value, user: await ctx.storage.users.getByUsername(value) };
    }
    case 'email': {
      if (!z.email().safeParse(text).success)
        throw new InvalidRequestError('invalid value: must be an e-mail address');
      const value = normalizeDenyValue(kind, text);
      return { value, user: await userByEmail(ctx, value) };
    }
    case 'client': {
      if (text === ctx.config.adminClient?.clientId) {
        throw new InvalidRequestError('invalid value: the bootstrap admin client cannot be denied');
      }
      if (!(await ctx.storage.clients.get(text)))
        throw new InvalidRequestError('invalid value: no such client');
      return { value: text, user: null };
    }
  }
}

/** The user with this e-mail (case-insensitive), found through the search index (first 200 matches). */
async function userByEmail(ctx: AdminContext, email: string): Promise<UserRecord | null> {
  const page = await ctx.storage.users.list({ limit: 200, q: email });
  return page.items.find((user) => user.email?.toLowerCase() === email) ?? null;
}

/** For the dashboard: how many entries are in force (as enforced, at most DENYLIST_MAX_ENTRIES). */
export async function activeDenyCount(ctx: AdminContext): Promise<number> {
  return Math.min((await ctx.denylist.get()).size, DENYLIST_MAX_ENTRIES);
}
