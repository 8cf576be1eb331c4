/** The admin dashboard: counts (each a link to its page), grants issued per day, the latest events. */
import type { Dashboard } from '../../src/admin';
import { Time } from './components';
import { IssuanceChart } from './issuance-chart';
import { type AdminChrome, AdminLayout } from './layout';
import { EventsTable } from './logs';

export interface DashboardPageProps {
  chrome: AdminChrome;
  dashboard: Dashboard;
}

export function DashboardPage({ chrome, dashboard }: DashboardPageProps) {
  const { counts } = dashboard;
  const cards = [
    { label: 'Clients', value: counts.clients, href: '/admin/clients' },
    { label: 'Users', value: counts.users, href: '/admin/users' },
    { label: 'Active grants', value: counts.active_grants, href: '/admin/grants?active=true' },
    { label: 'Signing keys in use', value: counts.signing_keys, href: '/admin/keys' },
    { label: 'Denylist entries', value: counts.denylist_entries, href: '/admin/denylist' },
  ];
  return (
    <AdminLayout chrome={chrome} title="Dashboard">
      <ul class="cards" aria-label="Counts">
        {cards.map((card) => (
          <li>
            <a href={card.href}>
              <strong>{card.value}</strong>
              <span>{card.label}</span>
            </a>
          </li>
        ))}
      </ul>
      <section class="panel" aria-labelledby="issuance">
        <h2 id="issuance">Grants issued, last {dashboard.issuance.length} days</h2>
        <IssuanceChart days={dashboard.issuance} />
      </section>
      <section aria-labelledby="recent">
        <h2 id="recent">Latest events</h2>
        <EventsTable events={dashboard.recent_events} caption="Latest events" />
        <p>
          <a href="/admin/events">All events</a> · <a href="/admin/audit">Audit log</a>
        </p>
      </section>
      <p class="muted">
        As of <Time secs={dashboard.generated_at} />.
      </p>
    </AdminLayout>
  );
}
