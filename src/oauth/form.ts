/**
 * Strict application/x-www-form-urlencoded parsing for the OAuth endpoints (RFC 6749 §3.2, §3.1):
 * a repeated parameter is an error, an empty value counts as omitted, malformed percent-encoding
 * and oversized input are rejected with invalid_request naming the parameter.
 */
import { InvalidRequestError } from './errors';

const MAX_PARAMETERS = 64;
const MAX_NAME_LENGTH = 128;

/** The parameters of one request; each name at most once (except REPEATABLE ones, see `allValues`). */
export type FormParams = ReadonlyMap<string, string>;

/**
 * Parameters that may repeat: RFC 8707 `resource`. Their values are kept joined by a space, which no
 * absolute URI contains (so a value with a space is simply an invalid resource), and the joined form
 * survives being re-encoded into a query (the authorization request's return after sign-in).
 */
const REPEATABLE = new Set(['resource']);

/** Every value of a REPEATABLE parameter, in request order; [] when absent. */
export function allValues(params: FormParams, name: string): string[] {
  const value = params.get(name);
  return value === undefined ? [] : value.split(' ').filter((part) => part.length > 0);
}

export function parseForm(body: string): FormParams {
  const params = new Map<string, string>();
  if (body.length === 0) return params;
  const pairs = body.split('&');
  if (pairs.length > MAX_PARAMETERS)
    throw new InvalidRequestError(`too many parameters (at most ${MAX_PARAMETERS})`);
  for (const pair of pairs) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq), 'parameter name');
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1), name);
    if (name.length === 0 || name.length > MAX_NAME_LENGTH)
      throw new InvalidRequestError('malformed parameter name');
    const previous = params.get(name);
    if (previous !== undefined && REPEATABLE.has(name)) {
      params.set(name, previous === '' ? value : value === '' ? previous : `${previous} ${value}`);
      continue;
    }
    if (previous !== undefined) throw new InvalidRequestError(`parameter ${safeName(name)} is repeated`);
    params.set(name, value);
  }
  for (const [name, value] of params) if (value === '') params.delete(name);
  return params;
}

function decode(raw: string, what: string): string {
  try {
    const text = decodeURIComponent(raw.replace(/\+/g, ' '));
    if (text.includes('\u0000')) throw new URIError('NUL');
    return text;
  } catch {
    throw new InvalidRequestError(`malformed encoding in ${safeName(what)}`);
  }
}

/** A parameter name as it may appear in an error description (printable ASCII, short). */
function safeName(name: string): string {
  const clean = name.replace(/[^\x21-\x7e]/g, '?').slice(0, 40);
  return clean.length > 0 ? clean : '?';
}

/** A required parameter, or invalid_request naming it. */
export function required(params: FormParams, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new InvalidRequestError(`missing required parameter ${name}`);
  return value;
}
