/**
 * /admin/scopes: the scopes this server knows (built-in and configured ones read-only), create, one scope
 * (edit), and delete after a confirmation; a scope clients or APIs still hold is refused with their names.
 */
import type { Hono } from 'hono';
import {
  createScope,
  deleteScope,
  getScope,
  listScopes,
  type ScopeView,
  updateScope,
} from '../../../src/admin/scopes';
import type { FormParams } from '../../../src/oauth/form';
import { SCOPE_PAGES, type ScopeFormValues, scopePath } from '../../../templates/admin/scopes';
import type { AppEnv } from '../../context';
import { type CollectionRoutes, registerCollectionPages } from './collection';
import { checked, texts } from './common';

/** Field labels for error messages. */
const LABELS: Record<string, string> = { name: 'Name', description: 'Description', advertise: 'Advertised' };

const NEW_SCOPE: ScopeFormValues = { name: '', description: '', advertise: true };

function formValues(form: FormParams): ScopeFormValues {
  return { ...texts(form, ['name', 'description']), advertise: checked(form, 'advertise') };
}

function viewValues(scope: ScopeView): ScopeFormValues {
  return { name: scope.name, description: scope.description, advertise: scope.advertise };
}

/** The scope pages: a scope is named by its path (it cannot be renamed); built-in and configured ones are read-only. */
const SCOPE_ROUTES: CollectionRoutes<ScopeView, ScopeFormValues> = {
  section: 'scopes',
  path: '/admin/scopes',
  recordRoute: '/admin/scopes/by-name/:name',
  labels: LABELS,
  blank: NEW_SCOPE,
  read: (_c, form) => formValues(form),
  valuesOf: viewValues,
  list: listScopes,
  get: getScope,
  create: createScope,
  // The name is the path's: it cannot be changed.
  update: (ctx, name, values) =>
    updateScope(ctx, name, { description: values.description, advertise: values.advertise }),
  created: () => 'Scope created.',
  deletion: {
    confirm: (scope) => ({
      title: `Delete scope ${scope.name}?`,
      message:
        'Clients can no longer request it. A scope that clients or APIs still hold is not deleted: the message names them. This cannot be undone.',
      confirmLabel: 'Delete scope',
    }),
    async perform(ctx, name) {
      await deleteScope(ctx, name);
      return `Scope ${name} deleted.`;
    },
  },
  recordPath: (scope) => scopePath(scope.name),
  listPage: SCOPE_PAGES.List,
  createPage: (_c, props) => SCOPE_PAGES.Create(props),
  recordPage: (_c, props) => SCOPE_PAGES.Record(props),
};

export function registerScopePages(app: Hono<AppEnv>): void {
  registerCollectionPages(app, SCOPE_ROUTES);
}
