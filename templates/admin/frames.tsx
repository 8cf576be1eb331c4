/**
 * The page shapes most admin sections share: a listing (what stands above the table, the table, the
 * pager), a create form (a way back to the listing, the form posting to it), and one record (its facts,
 * the way to delete it, its edit form). A collection's pages are named by one `Collection` description;
 * its table by a list of columns and its record by a list of facts.
 */
import type { Child } from 'hono/jsx';
import {
  type Column,
  ColumnRows,
  CreateForm,
  DeleteOrNote,
  DetailsPanel,
  EditSection,
  ErrorSummary,
  type Fact,
  FactList,
  type FormError,
  ListToolbar,
  type PagePosition,
  Pager,
  TableFrame,
  Time,
} from './components';
import { type AdminChrome, AdminLayout } from './layout';

export interface ListPageProps {
  chrome: AdminChrome;
  title: string;
  /** What stands above the table: notes, the toolbar (search, filters, create link), other sections. */
  header: Child;
  /** The table's (hidden) caption, its heading row, the line shown when it is empty, its row count. */
  caption: string;
  columns: Child[];
  empty: string;
  count: number;
  /** The listing's path and current filters, and where this page stands, for the pager. */
  path: string;
  params?: Record<string, string | undefined>;
  page: PagePosition;
  /** The rows. */
  children: Child;
}

/** A listing page: the header, the table of rows (or the empty line), then the links to other pages. */
export function ListPage(props: ListPageProps) {
  return (
    <AdminLayout chrome={props.chrome} title={props.title}>
      {props.header}
      <TableFrame caption={props.caption} count={props.count} empty={props.empty} columns={props.columns}>
        {props.children}
      </TableFrame>
      <Pager path={props.path} params={props.params} page={props.page} />
    </AdminLayout>
  );
}

/** What a listing page gets from its route: the chrome, a page of items and where the page stands. */
export interface ListingProps<T> extends PagePosition {
  chrome: AdminChrome;
  items: T[];
}

/** A collection of records as its pages name it. */
export interface Collection {
  /** The listing's title, its table's caption and the back links' label, e.g. `APIs`. */
  title: string;
  /** The listing's path; the create form is `${path}/new` and posts here. */
  path: string;
  /** The create link's label and the create page's title, e.g. `New API`. */
  newLabel: string;
  /** The create form's submit button, e.g. `Create API`. */
  createLabel: string;
}

export interface CollectionListPageProps<T> {
  collection: Collection;
  listing: ListingProps<T>;
  columns: Column<T>[];
  /** The line shown when nothing is listed. */
  empty: string;
  /** A search box (parameter `q`, kept in the pager's links): its label, the current search, and the line shown when nothing matches it. */
  search?: { label: string; q: string; noMatch: string };
}

/** A collection's listing: its toolbar (the search box if any, the create link), the table, the pager. */
export function CollectionListPage<T>({
  collection,
  listing,
  columns,
  empty,
  search,
}: CollectionListPageProps<T>) {
  const { title, path } = collection;
  const toolbar = (
    <ListToolbar
      newHref={`${path}/new`}
      newLabel={collection.newLabel}
      search={search && { path, label: search.label, q: search.q }}
    />
  );
  return (
    <ListPage
      chrome={listing.chrome}
      title={title}
      header={toolbar}
      caption={title}
      columns={columns.map((column) => column.heading)}
      empty={search !== undefined && search.q !== '' ? search.noMatch : empty}
      count={listing.items.length}
      path={path}
      params={search && { q: search.q }}
      page={listing}
    >
      <ColumnRows columns={columns} items={listing.items} />
    </ListPage>
  );
}

export interface CreatePageProps {
  chrome: AdminChrome;
  collection: Collection;
  error: FormError | null;
  /** The form's fields. */
  children: Child;
}

/** A create page: a back link to the listing, then the form (after the summary of its refusal, if any). */
export function CreatePage({ chrome, collection, error, children }: CreatePageProps) {
  return (
    <AdminLayout
      chrome={chrome}
      title={collection.newLabel}
      back={{ href: collection.path, label: collection.title }}
    >
      <CreateForm
        listPath={collection.path}
        csrfToken={chrome.csrfToken}
        error={error}
        submitLabel={collection.createLabel}
      >
        {children}
      </CreateForm>
    </AdminLayout>
  );
}

export interface RecordPageProps {
  chrome: AdminChrome;
  title: string;
  /** The listing (the back link leads there). */
  collection: Collection;
  /** The refusal of the last change, if any. */
  error: FormError | null;
  /** The record's page: the edit form posts there, its deletion is `${path}/delete`. */
  path: string;
  /** A record this page cannot change (from configuration, built in): no form, `readOnlyNote` instead. */
  readOnly: boolean;
  readOnlyNote: Child;
  /** The facts, before the time of the last change. */
  facts: Fact[];
  updatedAt: number | null;
  /** The edit form's fields. */
  children: Child;
}

/** One record's page: its facts, the link to delete it (or why not), and its edit form. */
export function RecordPage(props: RecordPageProps) {
  return (
    <AdminLayout
      chrome={props.chrome}
      title={props.title}
      back={{ href: props.collection.path, label: props.collection.title }}
    >
      <ErrorSummary error={props.error} />
      <DetailsPanel>
        <FactList facts={[...props.facts, ['Updated', <Time secs={props.updatedAt} />]]} />
        <DeleteOrNote path={props.path} readOnly={props.readOnly} note={props.readOnlyNote} />
      </DetailsPanel>
      {!props.readOnly && (
        <EditSection path={props.path} csrfToken={props.chrome.csrfToken}>
          {props.children}
        </EditSection>
      )}
    </AdminLayout>
  );
}

/** What a form page gets: the chrome, the values as shown and the refusal of the last change, if any. */
export interface FormPageProps<Values> {
  chrome: AdminChrome;
  values: Values;
  error: FormError | null;
}

/** A collection's listing and create form, described once. */
export interface ListAndCreateDescription<Item, Values, Extra> {
  collection: Collection;
  columns: Column<Item>[];
  /** The line shown when nothing is listed. */
  empty: string;
  /** A search box: its label and the line shown when nothing matches. */
  search?: { label: string; noMatch: string };
  /** The form's fields: of the create form (`item` null) and of a record's edit form. */
  fields: (props: FormPageProps<Values> & Extra & { item: Item | null }) => Child;
}

/** The listing page (with the current search when the collection has one) and the create page. */
export function listAndCreatePages<Item, Values, Extra = object>(
  description: ListAndCreateDescription<Item, Values, Extra>,
) {
  const { collection, search } = description;
  return {
    collection,
    List: (props: ListingProps<Item> & { q?: string }) => (
      <CollectionListPage
        collection={collection}
        listing={props}
        columns={description.columns}
        empty={description.empty}
        search={search && { ...search, q: props.q ?? '' }}
      />
    ),
    Create: (props: FormPageProps<Values> & Extra) => (
      <CreatePage chrome={props.chrome} collection={collection} error={props.error}>
        {description.fields({ ...props, item: null })}
      </CreatePage>
    ),
  };
}

/** How one record's page shows it. */
export interface RecordDescription {
  title: string;
  /** The record's page (its edit form posts there). */
  path: string;
  /** The facts, before the time of the last change. */
  facts: Fact[];
  updatedAt: number | null;
  /** Why a record from configuration or built in cannot be changed here; absent for one that can. */
  readOnlyNote?: Child;
}

export interface CollectionDescription<Item, Values, Extra>
  extends ListAndCreateDescription<Item, Values, Extra> {
  record: (item: Item) => RecordDescription;
}

/** A collection's listing, create and record pages. */
export function collectionPages<Item, Values, Extra = object>(
  description: CollectionDescription<Item, Values, Extra>,
) {
  return {
    ...listAndCreatePages<Item, Values, Extra>(description),
    Record: (props: FormPageProps<Values> & Extra & { item: Item }) => {
      const record = description.record(props.item);
      return (
        <RecordPage
          chrome={props.chrome}
          title={record.title}
          collection={description.collection}
          error={props.error}
          path={record.path}
          readOnly={record.readOnlyNote !== undefined}
          readOnlyNote={record.readOnlyNote}
          facts={record.facts}
          updatedAt={record.updatedAt}
        >
          {description.fields(props)}
        </RecordPage>
      );
    },
  };
}
