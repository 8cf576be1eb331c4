/**
 * The AdminContext of a request that passed the AdminGuard: what every src/admin operation takes.
 * The admin JSON API and the admin pages both build it here.
 */
import type { Context } from 'hono';
import type { AdminActor, AdminContext } from '../../src/admin/context';
import { adminActionEvent } from '../../src/events/admin';
import type { RequestOrigin } from '../../src/oauth/registration';
import type { AppEnv } from '../context';
import { requestEvents } from '../middleware/observability';
import { executionContextOf } from '../wiring/request-storage';
import { denylistCache, oauthContext, rotateSigningKeys, storedRegistry } from '../wiring/services';

/** Where the request came from, for audit entries. */
export function requestOrigin(c: Context<AppEnv>): RequestOrigin {
  return {
    ip: c.req.header('cf-connecting-ip')?.trim() || null,
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  };
}

/** Only after the AdminGuard: it sets `c.var.admin`. */
export function adminContext(c: Context<AppEnv>): AdminContext {
  const actor = c.get('admin');
  if (!actor) throw new Error('adminContext used on a route the AdminGuard does not cover');
  return actingContext(c, actor);
}

/**
 * The context of a user acting on their own account (revoking a connected app from /profile or /mcp):
 * the same operations and audit trail as an administrator's, with the user as the actor.
 */
export function accountContext(
  c: Context<AppEnv>,
  user: { id: string; username: string },
  via: AdminActor['via'],
  clientId: string | null,
): AdminContext {
  return actingContext(c, { actorId: user.id, actorType: 'user', via, username: user.username, clientId });
}

function actingContext(c: Context<AppEnv>, actor: AdminActor): AdminContext {
  const config = c.get('config');
  return {
    ...oauthContext(c.env, config, c.req.url, executionContextOf(c)),
    actor,
    origin: requestOrigin(c),
    keyRing: { rotate: (audit) => rotateSigningKeys(c.env, config, audit) },
    denylist: denylistCache(c.env, config),
    scopeRegistry: storedRegistry(c.env, config),
    // Every audit entry also goes out as an `admin_action` event (for the recent-events store).
    afterAudit: (entry) => requestEvents(c).publish(adminActionEvent(entry)),
  };
}
