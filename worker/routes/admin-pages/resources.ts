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
  RESOURCE_PAGES,
  type ResourceFormOptions,
  type ResourceFormValues,
  resourcePath,
} from '../../../templates/admin/resources';
import type { AppEnv } from '../../context';
import { type CollectionRoutes, registerCollectionPages } from './collection';
import { checkedOptions, texts } from './common';

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
    ...texts(form, ['identifier', 'name', 'access_token_format', 'access_token_ttl_secs']),
    scopes: new Set(checkedOptions(form, 'scopes', options.scopes)),
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

/** The API pages: only APIs defined here can be changed (those from configuration are shown read-only). */
const RESOURCE_ROUTES: CollectionRoutes<ResourceView, ResourceFormValues> = {
  section: 'resources',
  path: '/admin/resources',
  labels: LABELS,
  blank: NEW_RESOURCE,
  read: formValues,
  valuesOf: viewValues,
  list: listResources,
  get: getResource,
  create: (ctx, values) => createResource(ctx, resourceBody(values)),
  update: (ctx, id, values) => updateResource(ctx, id, resourceBody(values)),
  created: () => 'API created.',
  deletion: {
    confirm: (resource) => ({
      title: `Delete API ${resource.name ?? resource.identifier}?`,
      message: 'Its scopes stay, belonging to no API. This cannot be undone.',
      confirmLabel: 'Delete API',
    }),
    async perform(ctx, id) {
      await deleteResource(ctx, id);
      return 'API deleted.';
    },
  },
  recordPath: (resource) => resourcePath(resource.id),
  listPage: RESOURCE_PAGES.List,
  createPage: (c, props) => RESOURCE_PAGES.Create({ ...props, options: formOptions(c) }),
  recordPage: (c, props) => RESOURCE_PAGES.Record({ ...props, options: formOptions(c) }),
};

export function registerResourcePages(app: Hono<AppEnv>): void {
  registerCollectionPages(app, RESOURCE_ROUTES);
}
