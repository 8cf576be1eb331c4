/**
 * The two page shapes most admin sections share: a listing (what stands above the table, the table, the
 * pager) and a create form (a way back to the listing, the form posting to it).
 */
import type { Child } from 'hono/jsx';
import { CreateForm, type FormError, type PagePosition, Pager, TableFrame } from './components';
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
