/**
 * The page shapes most admin sections share: a listing (what stands above the table, the table, the
 * pager), a create form (a way back to the listing, the form posting to it), and one record (its facts,
 * the way to delete it, its edit form).
 */
import type { Child } from 'hono/jsx';
import {
  CreateForm,
  DeleteOrNote,
  DetailsPanel,
  EditSection,
  ErrorSummary,
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

export interface SearchListPageProps extends Omit<ListPageProps, 'header' | 'empty' | 'params'> {
  /** The create link. */
  newHref: string;
  newLabel: string;
  /** The search box's label and the current search (`q`, kept in the pager's links). */
  searchLabel: string;
  q: string;
  /** The line shown when nothing is listed: without a search, and when nothing matches it. */
  empty: string;
  noMatch: string;
}

/** A listing with a search box and a create link above the table. */
export function SearchListPage(props: SearchListPageProps) {
  const { newHref, newLabel, searchLabel, q, empty, noMatch, ...list } = props;
  return (
    <ListPage
      {...list}
      header={
        <ListToolbar
          newHref={newHref}
          newLabel={newLabel}
          search={{ path: list.path, label: searchLabel, q }}
        />
      }
      empty={q === '' ? empty : noMatch}
      params={{ q }}
    >
      {list.children}
    </ListPage>
  );
}

export interface CreatePageProps {
  chrome: AdminChrome;
  title: string;
  /** The listing: its path (the form posts there, Cancel and the back link lead there) and its name. */
  listPath: string;
  listLabel: string;
  error: FormError | null;
  submitLabel: string;
  /** The form's fields. */
  children: Child;
}

/** A create page: a back link to the listing, then the form (after the summary of its refusal, if any). */
export function CreatePage(props: CreatePageProps) {
  return (
    <AdminLayout
      chrome={props.chrome}
      title={props.title}
      back={{ href: props.listPath, label: props.listLabel }}
    >
      <CreateForm
        listPath={props.listPath}
        csrfToken={props.chrome.csrfToken}
        error={props.error}
        submitLabel={props.submitLabel}
      >
        {props.children}
      </CreateForm>
    </AdminLayout>
  );
}

export interface RecordPageProps {
  chrome: AdminChrome;
  title: string;
  /** The listing (the back link leads there) and its name. */
  listPath: string;
  listLabel: string;
  /** The refusal of the last change, if any. */
  error: FormError | null;
  /** The record's page: the edit form posts there, its deletion is `${path}/delete`. */
  path: string;
  /** A record this page cannot change (from configuration, built in): no form, `readOnlyNote` instead. */
  readOnly: boolean;
  readOnlyNote: Child;
  /** The facts (<dt>/<dd> pairs) before the time of the last change. */
  facts: Child;
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
      back={{ href: props.listPath, label: props.listLabel }}
    >
      <ErrorSummary error={props.error} />
      <DetailsPanel>
        <dl class="facts">
          {props.facts}
          <dt>Updated</dt>
          <dd>
            <Time secs={props.updatedAt} />
          </dd>
        </dl>
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
