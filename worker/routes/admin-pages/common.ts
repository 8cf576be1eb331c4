/**
 * What the admin page routes share: the page chrome (nonce, CSRF token, actor, the one-time notice), form
 * reading, the redirect after a change (303, post/redirect/get), and refused changes turned into form
 * errors that name the field. The AdminGuard has already checked the administrator and, for every POST,
 * the form's `csrf_token`.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Query } from '../../../src/admin';
import type { AdminContext } from '../../../src/admin/context';
import type { PageView } from '../../../src/admin/paging';
import { OAuthError } from '../../../src/oauth/errors';
import type { FormParams } from '../../../src/oauth/form';
import type { FormError } from '../../../templates/admin/components';
import type { AdminChrome, AdminSection } from '../../../templates/admin/layout';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { type PageElement, pageNonce, renderPage } from '../../http/pages';
import { readForm } from '../../middleware/body';
import { csrfToken } from '../../middleware/csrf';
import { adminQuery } from '../admin/common';
import { type Flash, setFlash, takeFlash } from './flash';

export type { AdminSection };

/** Rows per page of the admin tables. */
export const PAGE_ROWS = '25';

/** The chrome of a page rendered without reading the flash (a refused form, a confirmation). */
export async function chrome(c: Context<AppEnv>, section: AdminSection | null): Promise<AdminChrome> {
  const actor = c.get('admin');
  return {
    nonce: pageNonce(c),
    csrfToken: await csrfToken(c),
    section,
    actorName: actor.username ?? actor.actorId,
    session: actor.via === 'session',
    notice: null,
  };
}

/** The chrome of a page shown by GET, with the flash of the change just made (read once). */
export async function pageChrome(
  c: Context<AppEnv>,
  section: AdminSection,
): Promise<{ chrome: AdminChrome; flash: Flash }> {
  const flash = await takeFlash(c);
  return { chrome: { ...(await chrome(c, section)), notice: flash.notice ?? null }, flash };
}

export function render(
  c: Context<AppEnv>,
  page: PageElement,
  status: ContentfulStatusCode = 200,
): Response | Promise<Response> {
  return renderPage(c, page, status);
}

/** After a change: the flash for the next page, then 303 See Other to `path`. */
export async function seeOther(c: Context<AppEnv>, path: string, flash: Flash = {}): Promise<Response> {
  if (flash.notice !== undefined || flash.secret !== undefined) await setFlash(c, flash);
  c.header('Cache-Control', 'no-store');
  return c.redirect(path, 303);
}

/** The query of a listing, strictly parsed, with the page size of the admin tables unless given. */
export function listQuery(c: Context<AppEnv>): Query {
  const query = adminQuery(c);
  return { limit: PAGE_ROWS, ...query };
}

/**
 * A listing page shown by GET: the strictly parsed query, a page of `list`'s items (the admin tables'
 * size unless given) and, for the template, the chrome with the flash, the items and the cursors.
 */
export async function listing<T>(
  c: Context<AppEnv>,
  section: AdminSection,
  list: (ctx: AdminContext, query: Query) => Promise<PageView<T>>,
) {
  const query = listQuery(c);
  const page = await list(adminContext(c), query);
  const { chrome } = await pageChrome(c, section);
  return {
    query,
    props: { chrome, items: page.items, cursor: query.cursor, nextCursor: page.next_cursor },
  };
}

/** The chrome of a page that may show a refused form: with the flash when shown by GET, without it after a refusal. */
export async function formChrome(
  c: Context<AppEnv>,
  section: AdminSection,
  refused: boolean,
): Promise<AdminChrome> {
  return refused ? chrome(c, section) : (await pageChrome(c, section)).chrome;
}

/**
 * A record's page with its form: as shown by GET (`error` null: the chrome with the flash, 200), or again
 * after a refused change (the chrome without the flash, the error naming its field, the error's status).
 */
export async function recordPage(
  c: Context<AppEnv>,
  section: AdminSection,
  error: unknown,
  labels: Record<string, string>,
  page: (chrome: AdminChrome, error: FormError | null) => PageElement,
): Promise<Response> {
  const refused = error !== null;
  const pageChromeValue = await formChrome(c, section, refused);
  const shown = page(pageChromeValue, refused ? formError(error, labels) : null);
  return render(c, shown, refused ? errorStatus(error) : 200);
}

/** A posted record form: how its values are read, how the change is made, how a refusal is shown. */
export interface FormRoute<Values> {
  /** Field labels for the refusal's message. */
  labels: Record<string, string>;
  /** The values as posted (shown again when the change is refused). */
  read: (c: Context<AppEnv>, form: FormParams) => Values;
  /** Makes the change; answers the page to go to next and its flash (the notice, a new secret). */
  apply: (c: Context<AppEnv>, values: Values) => Promise<{ path: string; flash: Flash }>;
  /** The form again, with the values and the refusal. */
  showAgain: (c: Context<AppEnv>, values: Values, error: unknown) => Promise<Response>;
}

/**
 * The handler of a posted record form: a change made is answered 303 to the next page (post/redirect/get);
 * a refused one shows the form again; a 404 or a server error is rethrown (the error page).
 */
export function formRoute<Values>(route: FormRoute<Values>) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const values = route.read(c, await readPageForm(c));
    return saveOrShowAgain(
      route.labels,
      async () => {
        const next = await route.apply(c, values);
        return seeOther(c, next.path, next.flash);
      },
      (error) => route.showAgain(c, values, error),
    );
  };
}

/**
 * A posted change of a record: `save` makes it and answers the redirect; a refusal shows the form again
 * (`showAgain`); a 404 or a server error is rethrown (the error page).
 */
export async function saveOrShowAgain(
  labels: Record<string, string>,
  save: () => Promise<Response>,
  showAgain: (error: unknown) => Promise<Response>,
): Promise<Response> {
  try {
    return await save();
  } catch (error) {
    formError(error, labels);
    return showAgain(error);
  }
}

/**
 * A refused form shown again: the chrome without the flash, the error naming its field (anything but a
 * refusal is rethrown), and the error's status.
 */
export async function refusedForm(
  c: Context<AppEnv>,
  section: AdminSection,
  error: unknown,
  labels: Record<string, string>,
  page: (chrome: AdminChrome, error: FormError) => PageElement,
): Promise<Response> {
  const pageChromeValue = await chrome(c, section);
  return render(c, page(pageChromeValue, formError(error, labels)), errorStatus(error));
}

/** The posted form (application/x-www-form-urlencoded, strictly parsed). */
export function readPageForm(c: Context<AppEnv>): Promise<FormParams> {
  return readForm(c.req.raw);
}

export function text(form: FormParams, name: string): string {
  return form.get(name)?.trim() ?? '';
}

/** The named text fields of the form, each trimmed (`text`). */
export function texts<Name extends string>(form: FormParams, names: readonly Name[]): Record<Name, string> {
  return Object.fromEntries(names.map((name) => [name, text(form, name)])) as Record<Name, string>;
}

export function checked(form: FormParams, name: string): boolean {
  return form.has(name);
}

/** The options of a checkbox group (`${group}.${option}`) that are checked. */
export function checkedOptions(form: FormParams, group: string, options: readonly string[]): string[] {
  return options.filter((option) => form.has(`${group}.${option}`));
}

/** `invalid redirect_uris[0]: why`, `missing required field username`, `unknown field x`. */
const FIELD_MESSAGE =
  /^(?:invalid|missing required field|unknown field) ([a-z_]+)(?:\[(\d+)\])?(?::\s*(.*))?$/s;

/**
 * A refused change (400 or 409 invalid_request, or 403 access_denied) as a form error: the field it names,
 * and the message with the field's label (`labels`) instead of its wire name. Anything else is rethrown
 * (404 and server errors become the error page).
 */
export function formError(error: unknown, labels: Record<string, string>): FormError {
  if (!(error instanceof OAuthError) || ![400, 403, 409].includes(error.status)) throw error;
  const match = FIELD_MESSAGE.exec(error.message);
  if (match === null) {
    if (error.message === 'username is taken')
      return { field: 'username', message: 'Username: already taken.' };
    return { field: null, message: sentence(error.message) };
  }
  const [, field = '', index, why] = match;
  const label = labels[field] ?? field;
  const line = index === undefined ? '' : ` (line ${Number(index) + 1})`;
  return { field, message: `${label}${line}: ${withPeriod(why ?? 'required')}` };
}

function withPeriod(message: string): string {
  const trimmed = message.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function sentence(message: string): string {
  const trimmed = message.trim();
  return withPeriod(trimmed.charAt(0).toUpperCase() + trimmed.slice(1));
}

/** The status of a refused form: the error's own (400, 403 or 409). */
export function errorStatus(error: unknown): ContentfulStatusCode {
  return (error instanceof OAuthError ? error.status : 400) as ContentfulStatusCode;
}
