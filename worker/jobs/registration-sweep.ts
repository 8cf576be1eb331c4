/**
 * The scheduled sweep of unused anonymous registrations (src/oauth/registration/unused.ts): clients
 * registered without an initial access token that obtained no token within
 * OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS are deleted through their ClientActor, each with its audit
 * entry (actor `system`) and a `client_deleted` event.
 */
import { loadConfig } from '../../src/config';
import { randomId } from '../../src/crypto/random';
import { sweepUnused } from '../../src/oauth/registration/unused';
import type { AuditEntry } from '../../src/storage/ports';
import { oauthContext } from '../wiring/services';
import type { ScheduledJob } from './scheduled-job';

/** Deletes the unused anonymous registrations as of `now` (epoch seconds); answers their client_ids. */
export async function sweepUnusedRegistrations(
  env: Env,
  now: number,
  scope?: ExecutionContext,
): Promise<string[]> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return [];
  const config = loaded.config;
  const ctx = oauthContext(env, config, config.publicUrl ?? 'http://localhost', scope);
  const auditEntry = (clientId: string): AuditEntry => ({
    id: randomId(),
    actorId: 'system',
    actorType: 'system',
    action: 'client.delete',
    targetKind: 'client',
    targetId: clientId,
    ip: null,
    userAgent: null,
    metadata: { reason: 'unused anonymous registration' },
    createdAt: now,
  });
  const deleted = await sweepUnused(
    {
      clients: ctx.storage.clients,
      remove: (clientId, audit) => ctx.clients.remove(clientId, audit),
      auditEntry,
    },
    config.dynamicRegistrationUnusedTtlSecs,
    now,
  );
  for (const clientId of deleted) {
    ctx.events.publish({
      type: 'client_deleted',
      clientId,
      metadata: { deleted_by: 'system', reason: 'unused anonymous registration' },
    });
  }
  return deleted;
}

export const registrationSweepJob: ScheduledJob = {
  name: 'registration_sweep',
  async run(env, ctx, now) {
    const deleted = await sweepUnusedRegistrations(env, now, ctx);
    if (deleted.length > 0) {
      console.log(
        JSON.stringify({
          level: 'info',
          msg: 'unused registrations deleted',
          job: 'registration_sweep',
          count: deleted.length,
        }),
      );
    }
    return deleted;
  },
};
