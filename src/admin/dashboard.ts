/** The admin dashboard: counts, grants issued per day (for the chart), and the latest events. */
import { z } from 'zod';
import type { AdminContext } from './context';
import { activeDenyCount } from './denylist';
import { EventViewSchema, eventView } from './events';

/** Days of issuance history the dashboard charts. */
export const ISSUANCE_DAYS = 14;
/** Latest events shown. */
const RECENT_EVENTS = 10;
const DAY_SECS = 86_400;

export const DashboardSchema = z
  .object({
    counts: z.object({
      clients: z
        .number()
        .int()
        .meta({ description: 'Stored clients (the bootstrap admin client is not counted)' }),
      users: z.number().int(),
      active_grants: z.number().int().meta({ description: 'Token families neither revoked nor expired' }),
      signing_keys: z.number().int().meta({ description: 'Active and retiring keys' }),
      denylist_entries: z.number().int().meta({ description: 'Entries in force' }),
    }),
    issuance: z
      .array(z.object({ date: z.string().meta({ example: '2026-04-20' }), grants: z.number().int() }))
      .meta({
        description: `Grants created per UTC day, the last ${ISSUANCE_DAYS} days, oldest first (client_credentials tokens create no grant)`,
      }),
    recent_events: z
      .array(EventViewSchema)
      .meta({ description: 'The newest events of the recent-events store (as GET /admin/api/events)' }),
    generated_at: z.number().int().meta({ description: 'Unix time, seconds' }),
  })
  .meta({ id: 'Dashboard' });

export type Dashboard = z.output<typeof DashboardSchema>;

export async function dashboard(ctx: AdminContext): Promise<Dashboard> {
  const now = ctx.clock.nowSecs();
  const today = Math.floor(now / DAY_SECS);
  const firstDay = today - (ISSUANCE_DAYS - 1);
  const [clients, users, activeGrants, keys, denylistEntries, perDay, recent] = await Promise.all([
    ctx.storage.clients.count(),
    ctx.storage.users.count(),
    ctx.storage.grants.countActive(now),
    ctx.storage.signingKeys.list(),
    activeDenyCount(ctx),
    ctx.storage.grants.countCreatedByDay(firstDay * DAY_SECS, (today + 1) * DAY_SECS),
    ctx.storage.events.list({ limit: RECENT_EVENTS }),
  ]);
  const counts = new Map(perDay.map((entry) => [entry.day, entry.count]));
  return {
    counts: {
      clients,
      users,
      active_grants: activeGrants,
      signing_keys: keys.filter((key) => key.status !== 'retired').length,
      denylist_entries: denylistEntries,
    },
    issuance: Array.from({ length: ISSUANCE_DAYS }, (_, i) => ({
      date: new Date((firstDay + i) * DAY_SECS * 1000).toISOString().slice(0, 10),
      grants: counts.get(firstDay + i) ?? 0,
    })),
    recent_events: recent.items.map(eventView),
    generated_at: now,
  };
}
