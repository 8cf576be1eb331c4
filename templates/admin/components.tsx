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

export interface TextFieldProps extends FieldProps {
  value: string;
  type?: 'text' | 'password' | 'email' | 'search';
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
  spellcheck?: boolean;
}

export function TextField(props: TextFieldProps) {
  const message = errorFor(props.error, props.name);
  return (
    <div class="field">
      <label for={fieldId(props.name)}>{props.label}</label>
      <Described name={props.name} hint={props.hint} message={message} />
      <input
        id={fieldId(props.name)}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : props.value}
        required={props.required}
        autocomplete={props.autocomplete ?? 'off'}
        maxlength={props.maxlength}
        spellcheck={props.spellcheck}
        aria-invalid={message === null ? undefined : 'true'}
        aria-describedby={describedBy(props.name, props.hint, message)}
      />
    </div>
  );
}

export interface TextAreaProps extends FieldProps {
  value: string;
  rows?: number;
}

export function TextArea(props: TextAreaProps) {
  const message = errorFor(props.error, props.name);
  return (
    <div class="field">
      <label for={fieldId(props.name)}>{props.label}</label>
      <Described name={props.name} hint={props.hint} message={message} />
      <textarea
        id={fieldId(props.name)}
        name={props.name}
        rows={props.rows ?? 3}
        spellcheck={false}
        aria-invalid={message === null ? undefined : 'true'}
        aria-describedby={describedBy(props.name, props.hint, message)}
      >
        {props.value}
      </textarea>
    </div>
  );
}

export interface SelectFieldProps extends FieldProps {
  value: string;
  options: { value: string; label: string }[];
}

export function SelectField(props: SelectFieldProps) {
  const message = errorFor(props.error, props.name);
  return (
    <div class="field">
      <label for={fieldId(props.name)}>{props.label}</label>
      <Described name={props.name} hint={props.hint} message={message} />
      <select
        id={fieldId(props.name)}
        name={props.name}
        aria-invalid={message === null ? undefined : 'true'}
        aria-describedby={describedBy(props.name, props.hint, message)}
      >
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
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

export interface CheckboxGroupProps extends FieldProps {
  /** Each box posts `${name}.${option}` (a repeated parameter would be refused by the strict form parser). */
  options: { value: string; label: Child }[];
  checked: ReadonlySet<string>;
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

export interface PagerProps {
  /** The listing's path and its current filters (without paging). */
  path: string;
  params: Record<string, string | undefined>;
  /** The cursor this page was loaded with (not the first page). */
  cursor: string | undefined;
  nextCursor: string | null;
}

/** Links to the first and the next page (cursor paging: newest first, stable while records arrive). */
export function Pager({ path, params, cursor, nextCursor }: PagerProps) {
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

/** A table in a scrolling frame, or a line saying there is nothing to list. */
export function TableFrame({
  caption,
  empty,
  count,
  children,
}: {
  caption: string;
  empty: string;
  count: number;
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
        {children}
      </table>
    </div>
  );
}
