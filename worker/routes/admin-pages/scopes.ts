/**
 * /admin/scopes: the scopes this server knows (built-in and configured ones read-only), create, one scope
 * (edit), and delete after a confirmation; a scope clients or APIs still hold is refused with their names.
 */
import type { Context, Hono } from 'hono';
import {
  createScope,
  deleteScope,
  getScope,
  listScopes,
  type ScopeView,
  updateScope,
} from '../../../src/admin/scopes';
import type { FormParams } from '../../../src/oauth/form';
import {
  ScopeCreatePage,
  type ScopeFormValues,
  ScopeListPage,
  ScopePage,
  scopePath,
} from '../../../templates/admin/scopes';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import {
  checked,
  errorStatus,
  formChrome,
  formError,
  listing,
  pageChrome,
  readPageForm,
  refusedForm,
  render,
  seeOther,
  text,
} from './common';
import { registerConfirmedAction } from './confirm';

/** Field labels for error messages. */
const LABELS: Record<string, string> = { name: 'Name', description: 'Description', advertise: 'Advertised' };

const NEW_SCOPE: ScopeFormValues = { name: '', description: '', advertise: true };

function formValues(form: FormParams): ScopeFormValues {
  return {
    name: text(form, 'name'),
    description: text(form, 'description'),
    advertise: checked(form, 'advertise'),
  };
}

function viewValues(scope: ScopeView): ScopeFormValues {
  return { name: scope.name, description: scope.description, advertise: scope.advertise };
}

async function showScope(
  c: Context<AppEnv>,
  values: ScopeFormValues | null,
  error: unknown = null,
): Promise<Response> {
  const scope = await getScope(adminContext(c), c.req.param('name') ?? '');
  const page = ScopePage({
    chrome: await formChrome(c, 'scopes', error !== null),
    scope,
    values: values ?? viewValues(scope),
    error: error === null ? null : formError(error, LABELS),
  });
  return render(c, page, error === null ? 200 : errorStatus(error));
}

function registerListAndCreate(app: Hono<AppEnv>): void {
  app.get('/admin/scopes', async (c) => {
    const { props } = await listing(c, 'scopes', listScopes);
    return render(c, ScopeListPage(props));
  });

  app.get('/admin/scopes/new', async (c) => {
    const { chrome } = await pageChrome(c, 'scopes');
    return render(c, ScopeCreatePage({ chrome, values: NEW_SCOPE, error: null }));
  });

  app.post('/admin/scopes', async (c) => {
    const values = formValues(await readPageForm(c));
    try {
      const created = await createScope(adminContext(c), values);
      return seeOther(c, scopePath(created.name), { notice: 'Scope created.' });
    } catch (error) {
      return refusedForm(c, 'scopes', error, LABELS, (chrome, formError) =>
        ScopeCreatePage({ chrome, values, error: formError }),
      );
    }
  });
}

function registerItem(app: Hono<AppEnv>): void {
  app.get('/admin/scopes/by-name/:name', (c) => showScope(c, null));

  app.post('/admin/scopes/by-name/:name', async (c) => {
    const name = c.req.param('name');
    const values = formValues(await readPageForm(c));
    try {
      await updateScope(adminContext(c), name, {
        description: values.description,
        advertise: values.advertise,
      });
      return seeOther(c, scopePath(name), { notice: 'Changes saved.' });
    } catch (error) {
      formError(error, LABELS); // rethrows a 404 or a server error
      return showScope(c, { ...values, name }, error);
    }
  });
}

function registerDelete(app: Hono<AppEnv>): void {
  registerConfirmedAction(app, '/admin/scopes/by-name/:name/delete', {
    section: 'scopes',
    async describe(c) {
      const scope = await getScope(adminContext(c), c.req.param('name') ?? '');
      return {
        title: `Delete scope ${scope.name}?`,
        message:
          'Clients can no longer request it. A scope that clients or APIs still hold is not deleted: the message names them. This cannot be undone.',
        confirmLabel: 'Delete scope',
        cancelHref: scopePath(scope.name),
      };
    },
    async perform(c) {
      const name = c.req.param('name') ?? '';
      await deleteScope(adminContext(c), name);
      return seeOther(c, '/admin/scopes', { notice: `Scope ${name} deleted.` });
    },
  });
}

export function registerScopePages(app: Hono<AppEnv>): void {
  registerListAndCreate(app);
  registerDelete(app);
  registerItem(app);
}
