/**
 * The admin layout: a skip link, the navigation (the current section marked with aria-current), who is
 * signed in with a sign-out form, the one-time notice of the last change, then the page. No scripts.
 */
import type { PropsWithChildren } from 'hono/jsx';
import { Document } from '../layout';
import { ADMIN_STYLES } from './styles';

export type AdminSection =
  | 'dashboard'
  | 'clients'
  | 'scopes'
  | 'resources'
  | 'trusted-issuers'
  | 'users'
  | 'grants'
  | 'keys'
  | 'events'
  | 'audit'
  | 'denylist'
  | 'device-authorizations'
  | 'metrics';

/** What every admin page gets from the route: nonce, CSRF token, who is acting, the section, a notice. */
export interface AdminChrome {
  nonce: string;
  csrfToken: string;
  /** The section marked current in the navigation (none on a page of no section, e.g. not found). */
  section: AdminSection | null;
  /** The acting administrator's username (or a client_id for a Bearer token of a client). */
  actorName: string;
  /** Signed in with a session (so a sign-out form makes sense). */
  session: boolean;
  /** A confirmation of the change just made (shown once, after the redirect). */
  notice: string | null;
}

const SECTIONS: { id: AdminSection; label: string; href: string }[] = [
  { id: 'dashboard', label: 'Dashboard', href: '/admin' },
  { id: 'clients', label: 'Clients', href: '/admin/clients' },
  { id: 'scopes', label: 'Scopes', href: '/admin/scopes' },
  { id: 'resources', label: 'APIs', href: '/admin/resources' },
  { id: 'trusted-issuers', label: 'Trusted issuers', href: '/admin/trusted-issuers' },
  { id: 'users', label: 'Users', href: '/admin/users' },
  { id: 'grants', label: 'Grants', href: '/admin/grants' },
  { id: 'keys', label: 'Signing keys', href: '/admin/keys' },
  { id: 'events', label: 'Events', href: '/admin/events' },
  { id: 'audit', label: 'Audit log', href: '/admin/audit' },
  { id: 'denylist', label: 'Denylist', href: '/admin/denylist' },
  { id: 'device-authorizations', label: 'Devices', href: '/admin/device-authorizations' },
  { id: 'metrics', label: 'Metrics', href: '/admin/metrics' },
];

/** The section a path of the admin pages belongs to, if any. */
export function sectionOf(path: string): AdminSection | null {
  const first = path.split('/')[2] ?? '';
  if (first === '') return 'dashboard';
  return SECTIONS.find((section) => section.href === `/admin/${first}`)?.id ?? null;
}

export interface AdminLayoutProps {
  chrome: AdminChrome;
  /** The page heading and tab title. */
  title: string;
  /** A link back up (e.g. from a client to the client list). */
  back?: { href: string; label: string };
}

export function AdminLayout({ chrome, title, back, children }: PropsWithChildren<AdminLayoutProps>) {
  return (
    <Document title={`${title} · Admin`} nonce={chrome.nonce} styles={ADMIN_STYLES}>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <div class="shell">
        <header class="sidebar">
          <p class="brand">
            Authorization server<span>Administration</span>
          </p>
          <nav aria-label="Admin sections">
            <ul>
              {SECTIONS.map((section) => (
                <li>
                  <a href={section.href} aria-current={section.id === chrome.section ? 'page' : undefined}>
                    {section.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            <p>
              Signed in as <strong>{chrome.actorName}</strong>
            </p>
            {chrome.session && (
              <form method="post" action="/auth/logout">
                <input type="hidden" name="csrf_token" value={chrome.csrfToken} />
                <a href="/profile">Your account</a>{' '}
                <button type="submit" class="secondary small">
                  Sign out
                </button>
              </form>
            )}
          </div>
        </header>
        <main id="content" tabindex={-1} class="content">
          {back && (
            <p class="crumbs">
              <a href={back.href}>← {back.label}</a>
            </p>
          )}
          <h1>{title}</h1>
          {chrome.notice !== null && (
            <p class="notice ok" role="status">
              {chrome.notice}
            </p>
          )}
          {children}
        </main>
      </div>
    </Document>
  );
}
