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
  formRoute,
  listing,
  pageChrome,
  recordPage,
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
  return recordPage(c, 'scopes', error, LABELS, (chrome, formError) =>
    ScopePage({ chrome, scope, values: values ?? viewValues(scope), error: formError }),
  );
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

  app.post(
    '/admin/scopes',
    formRoute({
      labels: LABELS,
      read: (_c, form) => formValues(form),
      async apply(c, values) {
        const created = await createScope(adminContext(c), values);
        return { path: scopePath(created.name), flash: { notice: 'Scope created.' } };
      },
      showAgain: (c, values, error) =>
        refusedForm(c, 'scopes', error, LABELS, (chrome, formError) =>
          ScopeCreatePage({ chrome, values, error: formError }),
        ),
    }),
  );
}

function registerItem(app: Hono<AppEnv>): void {
  app.get('/admin/scopes/by-name/:name', (c) => showScope(c, null));

  app.post(
    '/admin/scopes/by-name/:name',
    formRoute({
      labels: LABELS,
      // The name is the path's: it cannot be changed.
      read: (c, form) => ({ ...formValues(form), name: c.req.param('name') ?? '' }),
      async apply(c, values) {
        await updateScope(adminContext(c), values.name, {
          description: values.description,
          advertise: values.advertise,
        });
        return { path: scopePath(values.name), flash: { notice: 'Changes saved.' } };
      },
      showAgain: showScope,
    }),
  );
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
