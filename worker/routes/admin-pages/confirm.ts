/**
 * Destructive actions in two steps: GET `path` shows what will happen and a form; POST `path` (with the
 * form's CSRF token, checked by the AdminGuard) does it and redirects (303). A refused attempt shows the
 * confirmation again with the reason.
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { ConfirmPage } from '../../../templates/admin/confirm';
import type { AppEnv } from '../../context';
import { type AdminSection, chrome, errorStatus, formError, render, saveOrShowAgain } from './common';

export interface Confirmation {
  title: string;
  message: Child;
  confirmLabel: string;
  cancelHref: string;
}

export interface ConfirmedAction {
  section: AdminSection;
  /** Loads what the action concerns (404 when it does not exist) and describes the action. */
  describe(c: Context<AppEnv>): Promise<Confirmation>;
  /** Performs the action; answers the redirect. */
  perform(c: Context<AppEnv>): Promise<Response>;
}

export function registerConfirmedAction(app: Hono<AppEnv>, path: string, action: ConfirmedAction): void {
  const show = async (c: Context<AppEnv>, error: unknown = null) => {
    const confirmation = await action.describe(c);
    const url = new URL(c.req.url);
    const page = ConfirmPage({
      chrome: await chrome(c, action.section),
      title: confirmation.title,
      children: confirmation.message,
      // The same path and query: a bulk revocation carries its filter in the query.
      action: `${url.pathname}${url.search}`,
      confirmLabel: confirmation.confirmLabel,
      cancelHref: confirmation.cancelHref,
      error: error === null ? null : formError(error, {}),
    });
    return render(c, page, error === null ? 200 : errorStatus(error));
  };
  app.get(path, (c) => show(c));
  app.post(path, (c) =>
    saveOrShowAgain(
      {},
      () => action.perform(c),
      (error) => show(c, error),
    ),
  );
}
