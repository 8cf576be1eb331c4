/**
 * /admin/clients: list and search, create, one client (edit, enable/disable), secret rotation and delete
 * (each confirmed first). A new secret reaches the page after the redirect through the flash: shown once.
 */
import type { Context, Hono } from 'hono';
import {
  type AdminContext,
  type ClientView,
  createClient,
  deleteClient,
  getClient,
  listClients,
  type Query,
  rotateClientSecret,
  updateClient,
} from '../../../src/admin';
import type { PageView } from '../../../src/admin/paging';
import { AccessDeniedError } from '../../../src/oauth/errors';
import type { FormParams } from '../../../src/oauth/form';
import {
  DEFAULT_SCOPE,
  REGISTRABLE_AUTH_METHODS,
  REGISTRABLE_GRANT_TYPES,
} from '../../../src/oauth/registration/metadata';
import { ClientPage } from '../../../templates/admin/client';
import {
  CLIENT_PAGES,
  type ClientFormOptions,
  type ClientFormValues,
  clientPath,
} from '../../../templates/admin/clients';
import type { FormError } from '../../../templates/admin/components';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { type CollectionRoutes, registerCollectionPages } from './collection';
import {
  checked,
  checkedOptions,
  chrome,
  errorStatus,
  formError,
  formRoute,
  pageChrome,
  render,
  seeOther,
  texts,
} from './common';
import { registerConfirmedAction } from './confirm';
import type { Flash } from './flash';

/** The choices of the client form: every scope this server knows, configured ones included. */
function formOptions(c: Context<AppEnv>): ClientFormOptions {
  return {
    grantTypes: REGISTRABLE_GRANT_TYPES,
    authMethods: REGISTRABLE_AUTH_METHODS,
    scopes: c.get('config').scopes.names(),
    defaultScope: DEFAULT_SCOPE,
  };
}

/** Field labels for error messages. */
const LABELS: Record<string, string> = {
  client_name: 'Name',
  redirect_uris: 'Redirect URIs',
  grant_types: 'Grant types',
  response_types: 'Response types',
  scope: 'Scopes',
  token_endpoint_auth_method: 'Client authentication',
  enabled: 'Enabled',
  first_party: 'First-party',
};

const NEW_CLIENT: ClientFormValues = {
  client_name: '',
  redirect_uris: '',
  grant_types: new Set(['authorization_code', 'refresh_token']),
  token_endpoint_auth_method: 'client_secret_basic',
  scopes: new Set(['openid', 'profile', 'email', 'offline_access']),
  first_party: false,
  enabled: true,
};

/** The posted form's values; only the offered options count. */
function formValues(c: Context<AppEnv>, form: FormParams): ClientFormValues {
  const options = formOptions(c);
  return {
    ...texts(form, ['client_name', 'token_endpoint_auth_method']),
    // Not trimmed: the lines are.
    redirect_uris: form.get('redirect_uris') ?? '',
    grant_types: new Set(checkedOptions(form, 'grant_types', options.grantTypes)),
    scopes: new Set(checkedOptions(form, 'scope', options.scopes)),
    first_party: checked(form, 'first_party'),
    enabled: checked(form, 'enabled'),
  };
}

function viewValues(client: ClientView): ClientFormValues {
  return {
    client_name: client.client_name ?? '',
    redirect_uris: client.redirect_uris.join('\n'),
    grant_types: new Set(client.grant_types),
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    scopes: new Set(client.scope.split(' ').filter(Boolean)),
    first_party: client.first_party,
    enabled: client.enabled,
  };
}

/** The form as the admin API's body: every field is sent, so an edit replaces the whole form's worth. */
function clientBody(values: ClientFormValues): Record<string, unknown> {
  return {
    client_name: values.client_name === '' ? null : values.client_name,
    redirect_uris: values.redirect_uris
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
    grant_types: [...values.grant_types],
    scope: values.scopes.size === 0 ? null : [...values.scopes].join(' '),
    token_endpoint_auth_method: values.token_endpoint_auth_method || null,
    first_party: values.first_party,
    enabled: values.enabled,
  };
}

/** The flash after a change: the notice, and the client's new secret when one was issued (shown once). */
function withSecret(
  notice: string,
  client: { client_id: string; client_secret?: string | undefined },
): Flash {
  const secret = client.client_secret;
  return secret === undefined
    ? { notice }
    : { notice, secret: { clientId: client.client_id, value: secret } };
}

async function showClient(
  c: Context<AppEnv>,
  values: ClientFormValues | null,
  error: unknown = null,
): Promise<Response> {
  const client = await getClient(adminContext(c), c.req.param('id') ?? '');
  const { chrome: pageChromeValue, flash } =
    error === null ? await pageChrome(c, 'clients') : { chrome: await chrome(c, 'clients'), flash: {} };
  const secret = flash.secret?.clientId === client.client_id ? flash.secret.value : null;
  const formErr: FormError | null = error === null ? null : formError(error, LABELS);
  const page = ClientPage({
    chrome: pageChromeValue,
    client,
    values: values ?? viewValues(client),
    options: formOptions(c),
    error: formErr,
    secret,
  });
  return render(c, page, error === null ? 200 : errorStatus(error));
}

/**
 * The first page of the list with the bootstrap admin client on top: it lives in configuration, not in
 * storage, so the stored listing (and the admin API's) never has it. Shown when the search matches it.
 */
async function withBootstrapClient(
  ctx: AdminContext,
  items: ClientView[],
  q: string | undefined,
): Promise<ClientView[]> {
  const clientId = ctx.config.adminClient?.clientId;
  if (clientId === undefined) return items;
  const bootstrap = await getClient(ctx, clientId);
  const needle = q?.trim().toLowerCase() ?? '';
  const matches =
    needle === '' ||
    bootstrap.client_id.toLowerCase().includes(needle) ||
    (bootstrap.client_name ?? '').toLowerCase().includes(needle);
  return matches ? [bootstrap, ...items.filter((item) => item.client_id !== clientId)] : items;
}

/** The bootstrap admin client is configuration: its confirmations are refused as the admin API refuses it. */
function refuseBootstrap(client: ClientView): void {
  if (client.bootstrap) {
    throw new AccessDeniedError(
      'the bootstrap admin client is defined by configuration (OAUTH2_ADMIN_CLIENT_*) and cannot be changed here',
    );
  }
}

/** The stored clients, with the bootstrap admin client on top of the first page. */
async function listWithBootstrap(ctx: AdminContext, query: Query): Promise<PageView<ClientView>> {
  const page = await listClients(ctx, query);
  if (query.cursor !== undefined) return page;
  return { ...page, items: await withBootstrapClient(ctx, page.items, query.q) };
}

/** The client pages; one client's page also enables or disables it and rotates its secret (below). */
const CLIENT_ROUTES: CollectionRoutes<ClientView, ClientFormValues> = {
  section: 'clients',
  path: '/admin/clients',
  labels: LABELS,
  blank: NEW_CLIENT,
  read: formValues,
  show: showClient,
  list: listWithBootstrap,
  get: getClient,
  create: (ctx, values) => createClient(ctx, clientBody(values)),
  update: (ctx, id, values) => updateClient(ctx, id, clientBody(values)),
  created: () => 'Client created.',
  flash: withSecret,
  deletion: {
    confirm(client) {
      refuseBootstrap(client);
      return {
        title: `Delete ${client.client_name ?? client.client_id}?`,
        message:
          'The client and its credentials stop working at once and its tokens become inactive. This cannot be undone.',
        confirmLabel: 'Delete client',
      };
    },
    async perform(ctx, id) {
      await deleteClient(ctx, id);
      return `Client ${id} deleted.`;
    },
  },
  recordPath: (client) => clientPath(client.client_id),
  listPage: (props, query) => CLIENT_PAGES.List({ ...props, q: query.q ?? '' }),
  createPage: (c, props) => CLIENT_PAGES.Create({ ...props, options: formOptions(c) }),
};

function registerClientActions(app: Hono<AppEnv>): void {
  app.post(
    '/admin/clients/:id/enabled',
    formRoute({
      labels: LABELS,
      read: (_c, form) => form.get('enabled') === 'true',
      async apply(c, enabled) {
        const id = c.req.param('id') ?? '';
        await updateClient(adminContext(c), id, { enabled });
        return { path: clientPath(id), flash: { notice: enabled ? 'Client enabled.' : 'Client disabled.' } };
      },
      showAgain: (c, _enabled, error) => showClient(c, null, error),
    }),
  );

  registerConfirmedAction(app, '/admin/clients/:id/rotate', {
    section: 'clients',
    async describe(c) {
      const client = await getClient(adminContext(c), c.req.param('id') ?? '');
      refuseBootstrap(client);
      return {
        title: `Rotate the secret of ${client.client_name ?? client.client_id}?`,
        message: 'A new secret is issued and shown once. The current secret stops working at once.',
        confirmLabel: 'Rotate secret',
        cancelHref: clientPath(client.client_id),
      };
    },
    async perform(c) {
      const id = c.req.param('id') ?? '';
      const rotated = await rotateClientSecret(adminContext(c), id);
      return seeOther(c, clientPath(id), {
        notice: 'Secret rotated: the previous one no longer works.',
        secret: { clientId: id, value: rotated.client_secret },
      });
    },
  });
}

export function registerClientPages(app: Hono<AppEnv>): void {
  registerCollectionPages(app, CLIENT_ROUTES);
  registerClientActions(app);
}
