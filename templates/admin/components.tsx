/**
 * Building blocks of the admin pages: labelled form fields that show their own error, the error summary,
 * the CSRF input, times, status badges and the pager. Every field has a <label> (or a <legend> for a
 * group); an error is linked to its field with aria-describedby and aria-invalid.
 */
import type { Child } from 'hono/jsx';

/** A refused change, as the form shows it: the field it concerns (when known) and the message. */
export interface FormError {
  field: string | null;
  message: string;
}

const fieldId = (name: string) => `f-${name}`;
const errorId = (name: string) => `f-${name}-error`;

function errorFor(error: FormError | null | undefined, name: string): string | null {
  return error?.field === name ? error.message : null;
}

/** The message at the top of a refused form; links to the field it concerns. */
export function ErrorSummary({ error }: { error: FormError | null | undefined }) {
  if (!error) return null;
  return (
    <div class="alert" role="alert">
      <strong>Not saved.</strong> {error.message}
      {error.field !== null && (
        <>
          {' '}
          <a href={`#${fieldId(error.field)}`}>Go to the field</a>
        </>
      )}
    </div>
  );
}

export function CsrfInput({ token }: { token: string }) {
  return <input type="hidden" name="csrf_token" value={token} />;
}

interface FieldProps {
  name: string;
  label: string;
  hint?: string;
  error?: FormError | null;
}

function Described({ name, hint, message }: { name: string; hint?: string; message: string | null }) {
  return (
    <>
      {hint !== undefined && (
        <span class="hint" id={`${fieldId(name)}-hint`}>
          {hint}
        </span>
      )}
      {message !== null && (
        <span class="field-error" id={errorId(name)}>
          {message}
        </span>
      )}
    </>
  );
}

function describedBy(name: string, hint: string | undefined, message: string | null): string | undefined {
  const ids = [hint === undefined ? null : `${fieldId(name)}-hint`, message === null ? null : errorId(name)];
  const joined = ids.filter((id) => id !== null).join(' ');
  return joined === '' ? undefined : joined;
}

/**
 * A labelled control: the <label>, the hint and the error message, then the control (`tag`) with the
 * attributes that tie it to them (id, name, aria-invalid, aria-describedby) around its own `attributes`.
 */
function LabelledField(
  props: FieldProps & {
    tag: 'input' | 'textarea' | 'select';
    attributes: Record<string, string | number | boolean | undefined>;
    children?: Child;
  },
) {
  const message = errorFor(props.error, props.name);
  const Control = props.tag;
  return (
    <div class="field">
      <label for={fieldId(props.name)}>{props.label}</label>
      <Described name={props.name} hint={props.hint} message={message} />
      <Control
        id={fieldId(props.name)}
        name={props.name}
        {...props.attributes}
        aria-invalid={message === null ? undefined : 'true'}
        aria-describedby={describedBy(props.name, props.hint, message)}
      >
        {props.children}
      </Control>
    </div>
  );
}

export interface TextFieldProps extends FieldProps {
  value: string;
  type?: 'text' | 'password' | 'email' | 'search';
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
  spellcheck?: boolean;
}

export function TextField(props: TextFieldProps) {
  const attributes = {
    type: props.type ?? 'text',
    value: props.type === 'password' ? undefined : props.value,
    required: props.required,
    autocomplete: props.autocomplete ?? 'off',
    maxlength: props.maxlength,
    spellcheck: props.spellcheck,
  };
  return <LabelledField {...props} tag="input" attributes={attributes} />;
}

export interface TextAreaProps extends FieldProps {
  value: string;
  rows?: number;
}

export function TextArea(props: TextAreaProps) {
  return (
    <LabelledField {...props} tag="textarea" attributes={{ rows: props.rows ?? 3, spellcheck: false }}>
      {props.value}
    </LabelledField>
  );
}

export interface SelectFieldProps extends FieldProps {
  value: string;
  options: { value: string; label: string }[];
}

export function SelectField(props: SelectFieldProps) {
  return (
    <LabelledField {...props} tag="select" attributes={{}}>
      {props.options.map((option) => (
        <option value={option.value} selected={option.value === props.value}>
          {option.label}
        </option>
      ))}
    </LabelledField>
  );
}

/**
 * A form's text fields as data, each shown with its value from `values[name]`: a text area when it has
 * `rows`, a select when it has `options`, a text box otherwise.
 */
export type FieldSpec<Values> = Omit<TextFieldProps, 'name' | 'value' | 'error'> & {
  name: keyof Values & string;
  rows?: number;
  options?: SelectFieldProps['options'];
};

export function FieldList<Values>(props: {
  fields: FieldSpec<Values>[];
  values: Values;
  error: FormError | null;
}) {
  return (
    <>
      {props.fields.map(({ rows, options, ...field }) => {
        const shown = { ...field, value: String(props.values[field.name] ?? ''), error: props.error };
        if (options !== undefined) return <SelectField {...shown} options={options} />;
        if (rows !== undefined) return <TextArea {...shown} rows={rows} />;
        return <TextField {...shown} />;
      })}
    </>
  );
}

export interface CheckboxProps {
  name: string;
  label: Child;
  checked: boolean;
  value?: string;
}

export function Checkbox({ name, label, checked, value }: CheckboxProps) {
  return (
    <label class="check" for={fieldId(name)}>
      <input id={fieldId(name)} type="checkbox" name={name} value={value ?? 'on'} checked={checked} />
      <span>{label}</span>
    </label>
  );
}

/** On/off options under a legend: a checkbox per labelled name, checked when that value of `values` is true. */
export function OptionBoxes<Values extends object>(props: {
  legend: string;
  values: Values;
  labels: Partial<Record<keyof Values & string, string>>;
}) {
  const boxes = Object.entries(props.labels) as [keyof Values & string, string][];
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {boxes.map(([name, label]) => (
        <Checkbox name={name} label={label} checked={props.values[name] === true} />
      ))}
    </fieldset>
  );
}

export interface CheckboxGroupProps extends FieldProps {
  /** Each box posts `${name}.${option}` (a repeated parameter would be refused by the strict form parser). */
  options: { value: string; label: Child }[];
  checked: ReadonlySet<string>;
}

/** Options of a checkbox group that are code-like names (grant types, scopes), each labelled as code. */
export function codeOptions(names: readonly string[]): CheckboxGroupProps['options'] {
  return names.map((name) => ({ value: name, label: <code>{name}</code> }));
}

export function CheckboxGroup(props: CheckboxGroupProps) {
  const message = errorFor(props.error, props.name);
  return (
    <fieldset
      id={fieldId(props.name)}
      aria-invalid={message === null ? undefined : 'true'}
      aria-describedby={describedBy(props.name, props.hint, message)}
    >
      <legend>{props.label}</legend>
      <Described name={props.name} hint={props.hint} message={message} />
      <div class="checks">
        {props.options.map((option) => (
          <Checkbox
            name={`${props.name}.${option.value}`}
            label={option.label}
            checked={props.checked.has(option.value)}
          />
        ))}
      </div>
    </fieldset>
  );
}

/** A Unix time (seconds) as `YYYY-MM-DD HH:MM UTC` in a <time> element. */
export function Time({ secs }: { secs: number | null }) {
  if (secs === null) return <span class="muted">never</span>;
  const iso = new Date(secs * 1000).toISOString();
  return <time datetime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`}</time>;
}

export type BadgeTone = 'ok' | 'off' | 'warn' | 'plain';

export function Badge({ tone, children }: { tone: BadgeTone; children: Child }) {
  return <span class={tone === 'plain' ? 'badge' : `badge ${tone}`}>{children}</span>;
}

/** Whether an account or a client may be used: a green "enabled" or a red "disabled" badge. */
export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="off">disabled</Badge>;
}

/** The link to the confirmation page that deletes the record at `path` (`${path}/delete`). */
export function DeleteLink({ path }: { path: string }) {
  return (
    <a class="button danger" href={`${path}/delete`}>
      Delete…
    </a>
  );
}

/** A listing's toolbar: its search box (parameter `q`) when it has one, then the link to its create form. */
export function ListToolbar(props: {
  newHref: string;
  newLabel: string;
  /** The listing's path (the search reloads it), the search box's label and the current query. */
  search?: { path: string; label: string; q: string };
}) {
  const create = (
    <>
      <span class="spacer" />
      <a class="button" href={props.newHref}>
        {props.newLabel}
      </a>
    </>
  );
  if (props.search === undefined) return <div class="toolbar">{create}</div>;
  return (
    <form method="get" action={props.search.path} class="toolbar">
      <div class="field">
        <label for="f-q">{props.search.label}</label>
        <input id="f-q" name="q" type="search" value={props.search.q} maxlength={200} />
      </div>
      <button type="submit" class="secondary">
        Search
      </button>
      {create}
    </form>
  );
}

/** A code-like name (an identifier, a scope) as a link to its page, or as plain code when it has none. */
export function CodeLink({ href, children }: { href: string | null; children: Child }) {
  if (href === null) return <code>{children}</code>;
  return (
    <a href={href}>
      <code>{children}</code>
    </a>
  );
}

/** One fact of a record's details: its term and what it says. */
export type Fact = [term: string, detail: Child];

/** A record's facts as a <dl class="facts"> of <dt>/<dd> pairs. */
export function FactList({ facts }: { facts: Fact[] }) {
  return (
    <dl class="facts">
      {facts.map(([term, detail]) => (
        <>
          <dt>{term}</dt>
          <dd>{detail}</dd>
        </>
      ))}
    </dl>
  );
}

/** A record's facts (children: a <dl class="facts"> and what follows it) in the "Details" panel. */
export function DetailsPanel({ children }: { children: Child }) {
  return (
    <section class="panel" aria-labelledby="facts">
      <h2 id="facts">Details</h2>
      {children}
    </section>
  );
}

/**
 * A create page's form, after the summary of its refusal: the fields (children), the submit button and a
 * Cancel link back to the listing, which is also where the form posts.
 */
export function CreateForm(props: {
  listPath: string;
  csrfToken: string;
  error: FormError | null;
  submitLabel: string;
  children: Child;
}) {
  return (
    <>
      <ErrorSummary error={props.error} />
      <form method="post" action={props.listPath} class="stack panel">
        <CsrfInput token={props.csrfToken} />
        {props.children}
        <div class="actions">
          <button type="submit">{props.submitLabel}</button>
          <a class="button secondary" href={props.listPath}>
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}

/**
 * The end of a record's details: the link to delete it, or, for one this page cannot change (from
 * configuration, built in), the note saying why.
 */
export function DeleteOrNote({ path, readOnly, note }: { path: string; readOnly: boolean; note: Child }) {
  if (readOnly) return <p class="muted">{note}</p>;
  return (
    <div class="actions">
      <DeleteLink path={path} />
    </div>
  );
}

/** The "Edit" panel of a record's page: its form posts the fields (children) to the record's `path`. */
export function EditSection(props: { path: string; csrfToken: string; intro?: Child; children: Child }) {
  return (
    <FormSection
      id="edit"
      title="Edit"
      intro={props.intro}
      action={props.path}
      csrfToken={props.csrfToken}
      submitLabel="Save changes"
    >
      {props.children}
    </FormSection>
  );
}

/** A titled panel holding one POST form (an edit, a reset, an addition): intro, fields (children), submit. */
export function FormSection(props: {
  /** The heading's id, which labels the section. */
  id: string;
  title: string;
  /** Shown between the heading and the form. */
  intro?: Child;
  action: string;
  csrfToken: string;
  submitLabel: string;
  children: Child;
}) {
  return (
    <section class="panel" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.intro}
      <form method="post" action={props.action} class="stack">
        <CsrfInput token={props.csrfToken} />
        {props.children}
        <div class="actions">
          <button type="submit">{props.submitLabel}</button>
        </div>
      </form>
    </section>
  );
}

/** Where a listing page stands: the cursor it was loaded with (not the first page) and the next page's. */
export interface PagePosition {
  cursor: string | undefined;
  nextCursor: string | null;
}

export interface PagerProps {
  /** The listing's path and its current filters (without paging; none when absent). */
  path: string;
  params?: Record<string, string | undefined>;
  page: PagePosition;
}

/** Links to the first and the next page (cursor paging: newest first, stable while records arrive). */
export function Pager({ path, params = {}, page }: PagerProps) {
  const { cursor, nextCursor } = page;
  if (cursor === undefined && nextCursor === null) return null;
  const href = (next: string | null) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
    if (next !== null) query.set('cursor', next);
    const search = query.toString();
    return search === '' ? path : `${path}?${search}`;
  };
  return (
    <nav class="pager" aria-label="Pages">
      {cursor !== undefined && <a href={href(null)}>← First page</a>}
      {nextCursor !== null && (
        <a href={href(nextCursor)} rel="next">
          Next page →
        </a>
      )}
    </nav>
  );
}

/** The heading of a listing's last column, the one of per-row buttons: read by screen readers only. */
export function ActionsHeading() {
  return <span class="visually-hidden">Actions</span>;
}

/** One column of a listing table: its heading, and its cell (and the cell's class) for each item. */
export interface Column<T> {
  heading: Child;
  cell: (item: T) => Child;
  class?: string;
}

/** The rows of a listing table, a cell per column. */
export function ColumnRows<T>({ columns, items }: { columns: Column<T>[]; items: T[] }) {
  return (
    <>
      {items.map((item) => (
        <tr>
          {columns.map((column) => (
            <td class={column.class}>{column.cell(item)}</td>
          ))}
        </tr>
      ))}
    </>
  );
}

/**
 * A listing table in a scrolling frame (a heading row of `columns`, then the rows given as children), or a
 * line saying there is nothing to list.
 */
export function TableFrame({
  caption,
  empty,
  count,
  columns,
  children,
}: {
  caption: string;
  empty: string;
  count: number;
  columns: Child[];
  children: Child;
}) {
  if (count === 0) {
    return (
      <div class="table-wrap">
        <p class="empty">{empty}</p>
      </div>
    );
  }
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
