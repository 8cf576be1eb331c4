/**
 * Strict application/x-www-form-urlencoded parsing for the OAuth endpoints (RFC 6749 §3.2, §3.1):
 * a repeated parameter is an error, an empty value counts as omitted, malformed percent-encoding
 * and oversized input are rejected with invalid_request naming the parameter.
 */
import { InvalidRequestError } from './errors';

const MAX_PARAMETERS = 64;
const MAX_NAME_LENGTH = 128;

/** The parameters of one request; each name at most once. */
export type FormParams = ReadonlyMap<string, string>;

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
    if (params.has(name)) throw new InvalidRequestError(`parameter ${safeName(name)} is repeated`);
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
