/** The audit log of admin mutations: one entry per change (actor, action, target, ip, user agent, time). */
import { z } from 'zod';
import { randomId } from '../crypto/random';
import type { AuditEntry } from '../storage/ports';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query } from './paging';

/** Every action the admin operations record. */
export type AdminAction =
  | 'client.create'
  | 'client.update'
  | 'client.delete'
  | 'client.secret.rotate'
  | 'user.create'
  | 'user.update'
  | 'user.delete'
  | 'user.password.reset'
  | 'grant.revoke'
  | 'grant.revoke_bulk'
  | 'key.rotate'
  | 'denylist.add'
  | 'denylist.remove'
  | 'scope.create'
  | 'scope.update'
  | 'scope.delete'
  | 'resource.create'
  | 'resource.update'
  | 'resource.delete'
  | 'user.factors.reset'
  | 'device_authorization.expire'
  | 'trusted_issuer.create'
  | 'trusted_issuer.update'
  | 'trusted_issuer.delete';

export interface AuditTarget {
  kind:
    | 'client'
    | 'user'
    | 'grant'
    | 'signing_key'
    | 'denylist'
    | 'scope'
    | 'resource'
    | 'trusted_issuer'
    | 'device_authorization';
  id: string | null;
}

/**
 * Appends the audit entry of a change made by `ctx.actor`. `metadata` must hold no secrets, codes or
 * tokens (ids, names and flags only); how the actor authenticated is added.
 */
export async function recordAudit(
  ctx: AdminContext,
  action: AdminAction,
  target: AuditTarget,
  metadata: Record<string, unknown> = {},
): Promise<AuditEntry> {
  const entry = auditEntry(ctx, action, target, metadata);
  await ctx.storage.auditLog.append(entry);
  await announceAudit(ctx, entry);
  return entry;
}

/**
 * The audit entry of a change by `ctx.actor`, for a caller that writes it together with the change
 * (Storage.atomically, or a ClientRegistry write's `audit`); then `announceAudit` once it is stored.
 */
export function auditEntry(
  ctx: AdminContext,
  action: AdminAction,
  target: AuditTarget,
  metadata: Record<string, unknown> = {},
): AuditEntry {
  const { actor } = ctx;
  return {
    id: randomId(),
    actorId: actor.actorId,
    actorType: actor.actorType,
    action,
    targetKind: target.kind,
    targetId: target.id,
    ip: ctx.origin.ip,
    userAgent: ctx.origin.userAgent,
    metadata: {
      ...metadata,
      via: actor.via,
      ...(actor.clientId === null ? {} : { client_id: actor.clientId }),
      ...(actor.username === null ? {} : { actor_username: actor.username }),
    },
    createdAt: ctx.clock.nowSecs(),
  };
}

/** After an audit entry was stored: what the runtime does with it (publish it as an event). */
export async function announceAudit(ctx: AdminContext, entry: AuditEntry): Promise<void> {
  await ctx.afterAudit?.(entry);
}

export const AuditEntryViewSchema = z
  .object({
    id: z.string(),
    actor_id: z.string().meta({ description: 'A user id or a client_id' }),
    actor_type: z.enum(['user', 'client', 'system']),
    action: z.string().meta({ example: 'client.create' }),
    target_kind: z.string().meta({ example: 'client' }),
    target_id: z.string().nullable(),
    ip: z.string().nullable().meta({ description: 'CF-Connecting-IP of the request' }),
    user_agent: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.number().int().meta({ description: 'Unix time, seconds' }),
  })
  .meta({ id: 'AuditEntry' });

export type AuditEntryView = z.output<typeof AuditEntryViewSchema>;

export const AuditPageSchema = pageSchema(AuditEntryViewSchema, 'AuditPage');

export function auditView(entry: AuditEntry): AuditEntryView {
  return {
    id: entry.id,
    actor_id: entry.actorId,
    actor_type: entry.actorType,
    action: entry.action,
    target_kind: entry.targetKind,
    target_id: entry.targetId,
    ip: entry.ip,
    user_agent: entry.userAgent,
    metadata: entry.metadata,
    created_at: entry.createdAt,
  };
}

/** The audit log, newest first. */
export function listAudit(ctx: AdminContext, query: Query): Promise<PageView<AuditEntryView>> {
  const page = parsePageQuery(query);
  return pageOf(() => ctx.storage.auditLog.list(page), auditView);
}
