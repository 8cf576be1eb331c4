/**
 * The app-wide `defaultHook` of the OpenAPIHono router: when a request fails the zod schema its route
 * declares (path parameters, query, headers, JSON body), it throws `InvalidRequestError` naming the
 * offending parameter, so the app's one error renderer answers in the RFC 6749 §5.2 shape
 * (`{error: "invalid_request", error_description}`). It never builds a response itself.
 *
 * The descriptions match the hand parsers they replace: a JSON body reads as `src/admin/validation.ts`
 * `parseInput` does (`missing required field x`, `unknown field x`, `invalid x: why`), a repeated query
 * parameter as `src/oauth/form.ts` does (`parameter x is repeated`).
 */
import type { z } from 'zod';
import { InvalidRequestError } from '../../src/oauth/errors';

type Target = 'json' | 'form' | 'query' | 'param' | 'header' | 'cookie' | (string & {});

type HookResult =
  | { target: Target; success: true; data: unknown }
  | { target: Target; success: false; data?: unknown; error: z.ZodError };

function fieldName(path: readonly PropertyKey[]): string {
  const [first, ...rest] = path;
  return `${String(first ?? 'body')}${rest.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`;
}

function valueAt(input: unknown, key: PropertyKey | undefined): unknown {
  if (key === undefined || typeof input !== 'object' || input === null) return undefined;
  return (input as Record<PropertyKey, unknown>)[key];
}

/** The InvalidRequestError describing the first issue of a failed validation of `target`. */
export function validationError(target: Target, error: z.ZodError, input: unknown): InvalidRequestError {
  const issue = error.issues[0];
  if (issue === undefined) return new InvalidRequestError('malformed request');
  const body = target === 'json' || target === 'form';
  const noun = body ? 'field' : target === 'header' ? 'header' : 'parameter';
  if (issue.code === 'unrecognized_keys') {
    return new InvalidRequestError(`unknown ${noun} ${fieldName([...issue.path, issue.keys[0] ?? ''])}`);
  }
  const field = fieldName(issue.path);
  const top = issue.path[0];
  const value = valueAt(input, top);
  if (issue.path.length === 1 && typeof top === 'string') {
    if (value === undefined) return new InvalidRequestError(`missing required ${noun} ${field}`);
    // Query strings and forms: a parameter given twice arrives as an array (RFC 6749 §3.1).
    if (target !== 'json' && Array.isArray(value)) {
      return new InvalidRequestError(`parameter ${field} is repeated`);
    }
  }
  // A parameter outside its enumeration reads as the hand parsers of the admin listings wrote it.
  if (!body && issue.code === 'invalid_value' && issue.values.length > 0) {
    const values = issue.values.map(String);
    const expected = values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
    return new InvalidRequestError(`invalid ${field}: must be ${expected}`);
  }
  return new InvalidRequestError(`invalid ${field}: ${issue.message}`);
}

/** The `defaultHook` passed to every OpenAPIHono constructor. */
export function validationHook(result: HookResult): void {
  if (result.success) return;
  throw validationError(result.target, result.error, result.data);
}
