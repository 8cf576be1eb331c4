/** /admin/denylist: entries (by kind, paged), add (the form stays filled in when refused), remove (confirmed). */
import type { Context, Hono } from 'hono';
import { addDenyEntry, getDenyEntry, listDenylist, removeDenyEntry } from '../../../src/admin';
import { DENYLIST_CACHE_TTL_SECS } from '../../../src/denylist';
import type { FormParams } from '../../../src/oauth/form';
import type { FormError } from '../../../templates/admin/components';
import { DENY_KIND_LABELS, type DenyFormValues, DenylistPage } from '../../../templates/admin/denylist';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import {
  errorStatus,
  formChrome,
  formError,
  listQuery,
  readPageForm,
  render,
  seeOther,
  texts,
} from './common';
import { registerConfirmedAction } from './confirm';

const LABELS: Record<string, string> = {
  kind: 'Kind',
  value: 'Value',
  reason: 'Reason',
  expires_in: 'Expires',
  expires_at: 'Expires',
};

const EMPTY: DenyFormValues = { kind: 'ip', value: '', reason: '', expires_in: '' };

function formValues(form: FormParams): DenyFormValues {
  return texts(form, ['kind', 'value', 'reason', 'expires_in']);
}

/** The form as the admin API's body (`expires_in` a whole number of seconds, or never). */
function entryBody(values: DenyFormValues): Record<string, unknown> {
  return {
    kind: values.kind,
    value: values.value,
    reason: values.reason === '' ? null : values.reason,
    ...(values.expires_in === '' ? {} : { expires_in: Number(values.expires_in) }),
  };
}

async function showDenylist(
  c: Context<AppEnv>,
  values: DenyFormValues = EMPTY,
  error: FormError | null = null,
  status: 200 | 400 | 403 | 409 = 200,
): Promise<Response> {
  const query = listQuery(c);
  const page = await listDenylist(adminContext(c), query);
  const pageChromeValue = await formChrome(c, 'denylist', error !== null);
  const props = {
    items: page.items,
    kind: query.kind ?? '',
    cursor: query.cursor,
    nextCursor: page.next_cursor,
  };
  return render(c, DenylistPage({ chrome: pageChromeValue, ...props, values, error }), status);
}

export function registerDenylistPages(app: Hono<AppEnv>): void {
  app.get('/admin/denylist', (c) => showDenylist(c));

  app.post('/admin/denylist', async (c) => {
    const values = formValues(await readPageForm(c));
    try {
      const entry = await addDenyEntry(adminContext(c), entryBody(values));
      const what = DENY_KIND_LABELS[entry.kind] ?? entry.kind;
      return seeOther(c, '/admin/denylist', { notice: `Added ${entry.value} (${what}) to the denylist.` });
    } catch (error) {
      const status = errorStatus(error) as 400 | 403 | 409;
      return showDenylist(c, values, formError(error, LABELS), status);
    }
  });

  registerConfirmedAction(app, '/admin/denylist/:id/remove', {
    section: 'denylist',
    async describe(c) {
      const entry = await getDenyEntry(adminContext(c), c.req.param('id') ?? '');
      return {
        title: 'Remove this denylist entry?',
        message: `${DENY_KIND_LABELS[entry.kind] ?? entry.kind} ${entry.value} will be allowed again (at once here, within ${DENYLIST_CACHE_TTL_SECS} seconds everywhere).`,
        confirmLabel: 'Remove entry',
        cancelHref: '/admin/denylist',
      };
    },
    async perform(c) {
      const entry = await getDenyEntry(adminContext(c), c.req.param('id') ?? '');
      await removeDenyEntry(adminContext(c), entry.id);
      return seeOther(c, '/admin/denylist', { notice: `Removed the entry for ${entry.value}.` });
    },
  });
}
