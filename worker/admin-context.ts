/**
 * The AdminContext of a request that passed the AdminGuard: what every src/admin operation takes.
 * The admin JSON API and the admin pages both build it here.
 */
import type { Context } from 'hono';
import type { AdminContext } from '../src/admin/context';
import { adminActionEvent } from '../src/events/admin';
import type { RequestOrigin } from '../src/oauth/registration';
import type { AppEnv } from './context';
import { requestEvents } from './middleware/observability';
import { executionContextOf } from './request-storage';
import { denylistCache, oauthContext, rotateSigningKeys } from './services';

/** Where the request came from, for audit entries. */
export function requestOrigin(c: Context<AppEnv>): RequestOrigin {
  return {
    ip: c.req.header('cf-connecting-ip')?.trim() || null,
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  };
}

/** Only after the AdminGuard: it sets `c.var.admin`. */
export function adminContext(c: Context<AppEnv>): AdminContext {
  const config = c.get('config');
  const actor = c.get('admin');
  if (!actor) throw new Error('adminContext used on a route the AdminGuard does not cover');
  return {
    ...oauthContext(c.env, config, c.req.url, executionContextOf(c)),
    actor,
    origin: requestOrigin(c),
    keyRing: { rotate: (audit) => rotateSigningKeys(c.env, config, audit) },
    denylist: denylistCache(c.env, config),
    // Every audit entry also goes out as an `admin_action` event (the recent-events store, issue #6).
    afterAudit: (entry) => requestEvents(c).publish(adminActionEvent(entry)),
  };
}
