/** The admin pages' own 404: the navigation stays, so the administrator can go on from here. */
import { type AdminChrome, AdminLayout } from './layout';

export interface AdminNotFoundPageProps {
  chrome: AdminChrome;
  /** What was not found (escaped; plain text). */
  message: string;
}

export function AdminNotFoundPage({ chrome, message }: AdminNotFoundPageProps) {
  return (
    <AdminLayout chrome={chrome} title="Not found">
      <p role="alert">{message}</p>
      <p>
        <a href="/admin">Go to the dashboard</a> or pick a section in the navigation.
      </p>
    </AdminLayout>
  );
}
