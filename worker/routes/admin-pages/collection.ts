/**
 * The pages of a collection of records, declared once: the listing, the create form and its POST, one
 * record's page and its POST (the edit), and its deletion after a confirmation. An entity's route file
 * fills in only what differs: its paths, labels, form values, admin operations and templates.
 */
import type { Context, Hono } from 'hono';
import type { Query } from '../../../src/admin';
import type { AdminContext } from '../../../src/admin/context';
import type { PageView } from '../../../src/admin/paging';
import type { FormParams } from '../../../src/oauth/form';
import type { FormPageProps, ListingProps } from '../../../templates/admin/frames';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import type { PageElement } from '../../http/pages';
import {
  type AdminSection,
  formRoute,
  listing,
  pageChrome,
  recordPage,
  refusedForm,
  render,
  seeOther,
} from './common';
import { type Confirmation, registerConfirmedAction } from './confirm';
import type { Flash } from './flash';

/** One record's page: its values for the edit form and its template, or a route's own way to show it. */
type RecordView<Item, Values> =
  | {
      valuesOf: (item: Item) => Values;
      recordPage: (c: Context<AppEnv>, props: FormPageProps<Values> & { item: Item }) => PageElement;
    }
  | {
      /** Shows the record's page, with the values and the refusal of a change when given. */
      show: (c: Context<AppEnv>, values: Values | null, error: unknown) => Promise<Response>;
    };

/** `Saved`: what a create or an update answers (a client's carries its new secret). */
export type CollectionRoutes<Item, Values, Saved extends Item = Item> = RecordView<Item, Values> & {
  section: AdminSection;
  /** The listing's path: the create form is `${path}/new` and posts here. */
  path: string;
  /** The route of one record's page, ending in the parameter that names the record: `${path}/:id` unless given. */
  recordRoute?: string;
  /** Field labels for the refusal's message. */
  labels: Record<string, string>;
  /** The create form's values before anything is filled in. */
  blank: Values;
  /** The posted form's values (shown again when the change is refused). */
  read: (c: Context<AppEnv>, form: FormParams) => Values;
  list: (ctx: AdminContext, query: Query) => Promise<PageView<Item>>;
  /** Loads one record (404 when there is none). */
  get: (ctx: AdminContext, key: string) => Promise<Item>;
  /** Creates a record, or changes the one `key` names, from the form's values; answers the record. */
  create: (ctx: AdminContext, values: Values) => Promise<Saved>;
  update: (ctx: AdminContext, key: string, values: Values) => Promise<Saved>;
  /** The notice after a create (after an edit: `Changes saved.`). */
  created: (item: Saved) => string;
  /** The flash after a change: the notice, unless given otherwise. */
  flash?: (notice: string, item: Saved) => Flash;
  deletion: {
    /** The confirmation's title, message and button (Cancel leads back to the record's page). */
    confirm: (item: Item) => Omit<Confirmation, 'cancelHref'>;
    /** Deletes the record; answers the notice shown on the listing. */
    perform: (ctx: AdminContext, key: string) => Promise<string>;
  };
  /** The record's page, the way back from its confirmations. */
  recordPath: (item: Item) => string;
  listPage: (props: ListingProps<Item>, query: Query) => PageElement;
  createPage: (c: Context<AppEnv>, props: FormPageProps<Values>) => PageElement;
};

/** Registers the listing, create, record (edit) and delete pages of a collection. */
export function registerCollectionPages<Item, Values, Saved extends Item>(
  app: Hono<AppEnv>,
  routes: CollectionRoutes<Item, Values, Saved>,
): void {
  const { section, path, labels } = routes;
  const recordRoute = routes.recordRoute ?? `${path}/:id`;
  const param = recordRoute.slice(recordRoute.lastIndexOf(':') + 1);
  const keyOf = (c: Context<AppEnv>) => c.req.param(param) ?? '';
  const load = (c: Context<AppEnv>) => routes.get(adminContext(c), keyOf(c));
  /** After a change: the record's page, with the notice (and what else the flash carries). */
  const saved = (item: Saved, notice: string) => ({
    path: routes.recordPath(item),
    flash: routes.flash?.(notice, item) ?? { notice },
  });
  const show = async (c: Context<AppEnv>, values: Values | null, error: unknown = null) => {
    if ('show' in routes) return routes.show(c, values, error);
    const item = await load(c);
    return recordPage(c, section, error, labels, (chrome, formError) =>
      routes.recordPage(c, { chrome, item, values: values ?? routes.valuesOf(item), error: formError }),
    );
  };

  app.get(path, async (c) => {
    const { query, props } = await listing(c, section, routes.list);
    return render(c, routes.listPage(props, query));
  });

  app.get(`${path}/new`, async (c) => {
    const { chrome } = await pageChrome(c, section);
    return render(c, routes.createPage(c, { chrome, values: routes.blank, error: null }));
  });

  app.post(
    path,
    formRoute({
      labels,
      read: routes.read,
      async apply(c, values) {
        const item = await routes.create(adminContext(c), values);
        return saved(item, routes.created(item));
      },
      showAgain: (c, values, error) =>
        refusedForm(c, section, error, labels, (chrome, formError) =>
          routes.createPage(c, { chrome, values, error: formError }),
        ),
    }),
  );

  registerConfirmedAction(app, `${recordRoute}/delete`, {
    section,
    async describe(c) {
      const item = await load(c);
      return { ...routes.deletion.confirm(item), cancelHref: routes.recordPath(item) };
    },
    async perform(c) {
      const notice = await routes.deletion.perform(adminContext(c), keyOf(c));
      return seeOther(c, path, { notice });
    },
  });

  app.get(recordRoute, (c) => show(c, null));

  app.post(
    recordRoute,
    formRoute({
      labels,
      read: routes.read,
      apply: async (c, values) =>
        saved(await routes.update(adminContext(c), keyOf(c), values), 'Changes saved.'),
      showAgain: show,
    }),
  );
}
