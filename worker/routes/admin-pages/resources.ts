/**
 * /admin/resources: the APIs (protected resources; those from configuration read-only), create, one API
 * (edit), and delete after a confirmation.
 */
import type { Context, Hono } from 'hono';
import {
  createResource,
  deleteResource,
  getResource,
  listResources,
  type ResourceView,
  updateResource,
} from '../../../src/admin/resources';
import type { FormParams } from '../../../src/oauth/form';
import {
  ResourceCreatePage,
  type ResourceFormOptions,
  type ResourceFormValues,
  ResourceListPage,
  ResourcePage,
  resourcePath,
} from '../../../templates/admin/resources';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import {
  checkedOptions,
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
const LABELS: Record<string, string> = {
  identifier: 'Identifier',
  name: 'Name',
  scopes: 'Scopes',
  access_token_format: 'Access-token format',
  access_token_ttl_secs: 'Access-token lifetime',
};

const NEW_RESOURCE: ResourceFormValues = {
  identifier: '',
  name: '',
  scopes: new Set(),
  access_token_format: '',
  access_token_ttl_secs: '',
};

/** The choices of the form: only scopes defined here can belong to an API defined here. */
function formOptions(c: Context<AppEnv>): ResourceFormOptions {
  const config = c.get('config');
  return {
    scopes: config.scopes
      .all()
      .filter((scope) => scope.stored)
      .map((scope) => scope.name),
    defaultTtlSecs: config.accessTokenTtlSecs,
  };
}

/** The posted form's values; only the offered options count. */
function formValues(c: Context<AppEnv>, form: FormParams): ResourceFormValues {
  const options = formOptions(c);
  return {
    identifier: text(form, 'identifier'),
    name: text(form, 'name'),
    scopes: new Set(checkedOptions(form, 'scopes', options.scopes)),
    access_token_format: text(form, 'access_token_format'),
    access_token_ttl_secs: text(form, 'access_token_ttl_secs'),
  };
}

function viewValues(resource: ResourceView): ResourceFormValues {
  return {
    identifier: resource.identifier,
    name: resource.name ?? '',
    scopes: new Set(resource.scopes),
    access_token_format: resource.access_token_format ?? '',
    access_token_ttl_secs: resource.access_token_ttl_secs?.toString() ?? '',
  };
}

/** The form as the admin API's body: every field is sent (an edit replaces the API); empty means default. */
function resourceBody(values: ResourceFormValues): Record<string, unknown> {
  const ttl = values.access_token_ttl_secs;
  return {
    identifier: values.identifier,
    name: values.name === '' ? null : values.name,
    scopes: [...values.scopes],
    access_token_format: values.access_token_format === '' ? null : values.access_token_format,
    // Not a number: sent as typed, so the message says what is wrong with it.
    access_token_ttl_secs: ttl === '' ? null : /^\d+$/.test(ttl) ? Number(ttl) : ttl,
  };
}

async function showResource(
  c: Context<AppEnv>,
  values: ResourceFormValues | null,
  error: unknown = null,
): Promise<Response> {
  const resource = await getResource(adminContext(c), c.req.param('id') ?? '');
  return recordPage(c, 'resources', error, LABELS, (chrome, formError) =>
    ResourcePage({
      chrome,
      resource,
      values: values ?? viewValues(resource),
      options: formOptions(c),
      error: formError,
    }),
  );
}

function registerListAndCreate(app: Hono<AppEnv>): void {
  app.get('/admin/resources', async (c) => {
    const { props } = await listing(c, 'resources', listResources);
    return render(c, ResourceListPage(props));
  });

  app.get('/admin/resources/new', async (c) => {
    const { chrome } = await pageChrome(c, 'resources');
    const page = ResourceCreatePage({ chrome, values: NEW_RESOURCE, options: formOptions(c), error: null });
    return render(c, page);
  });

  app.post(
    '/admin/resources',
    formRoute({
      labels: LABELS,
      read: formValues,
      async apply(c, values) {
        const created = await createResource(adminContext(c), resourceBody(values));
        return { path: resourcePath(created.id), flash: { notice: 'API created.' } };
      },
      showAgain: (c, values, error) =>
        refusedForm(c, 'resources', error, LABELS, (chrome, formError) =>
          ResourceCreatePage({ chrome, values, options: formOptions(c), error: formError }),
        ),
    }),
  );
}

function registerItem(app: Hono<AppEnv>): void {
  app.get('/admin/resources/:id', (c) => showResource(c, null));

  app.post(
    '/admin/resources/:id',
    formRoute({
      labels: LABELS,
      read: formValues,
      async apply(c, values) {
        const id = c.req.param('id') ?? '';
        await updateResource(adminContext(c), id, resourceBody(values));
        return { path: resourcePath(id), flash: { notice: 'Changes saved.' } };
      },
      showAgain: showResource,
    }),
  );
}

function registerDelete(app: Hono<AppEnv>): void {
  registerConfirmedAction(app, '/admin/resources/:id/delete', {
    section: 'resources',
    async describe(c) {
      const resource = await getResource(adminContext(c), c.req.param('id') ?? '');
      return {
        title: `Delete API ${resource.name ?? resource.identifier}?`,
        message: 'Its scopes stay, belonging to no API. This cannot be undone.',
        confirmLabel: 'Delete API',
        cancelHref: resourcePath(resource.id),
      };
    },
    async perform(c) {
      const id = c.req.param('id') ?? '';
      await deleteResource(adminContext(c), id);
      return seeOther(c, '/admin/resources', { notice: 'API deleted.' });
    },
  });
}

export function registerResourcePages(app: Hono<AppEnv>): void {
  registerListAndCreate(app);
  registerDelete(app);
  registerItem(app);
}
