/**
 * The confirmation step of a destructive action (delete, revoke, rotate): what will happen, one POST form
 * with the CSRF token, and a way back. No JavaScript confirm().
 */
import type { Child } from 'hono/jsx';
import { CsrfInput, ErrorSummary, type FormError } from './components';
import { type AdminChrome, AdminLayout } from './layout';

export interface ConfirmPageProps {
  chrome: AdminChrome;
  title: string;
  /** What the action does and what cannot be undone. */
  children: Child;
  /** Where the form posts. */
  action: string;
  /** The label of the confirming button. */
  confirmLabel: string;
  cancelHref: string;
  /** Why the last attempt was refused. */
  error?: FormError | null;
}

export function ConfirmPage(props: ConfirmPageProps) {
  return (
    <AdminLayout chrome={props.chrome} title={props.title} back={{ href: props.cancelHref, label: 'Back' }}>
      <ErrorSummary error={props.error} />
      <section class="panel">
        {props.children}
        <form method="post" action={props.action}>
          <CsrfInput token={props.chrome.csrfToken} />
          <div class="actions">
            <button type="submit" class="danger">
              {props.confirmLabel}
            </button>
            <a class="button secondary" href={props.cancelHref}>
              Cancel
            </a>
          </div>
        </form>
      </section>
    </AdminLayout>
  );
}
