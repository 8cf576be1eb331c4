/** Input validation for the admin operations: zod schemas, failures as invalid_request naming the field. */
import type { z } from 'zod';
import { InvalidRequestError, OAuthError } from '../oauth/errors';
import { ConflictError } from '../storage/ports';

/** 409 invalid_request: the change conflicts with what exists (a taken username, a duplicate entry). */
export class ConflictRequestError extends OAuthError {
  constructor(description: string) {
    super('invalid_request', description, 409);
  }
}

/** Runs a storage write; a unique key already taken (ConflictError) becomes a 409 saying `description`. */
export async function conflictAs<T>(description: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConflictError) throw new ConflictRequestError(description);
    throw error;
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  const [first, ...rest] = path;
  return `${String(first ?? 'body')}${rest.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`;
}

/**
 * Parses `input` (a JSON body, or a document built from a form) with `schema`; throws
 * InvalidRequestError naming the first offending field: `missing required field x`,
 * `unknown field x` or `invalid x: why`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError('the request body must be a JSON object');
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new InvalidRequestError('malformed request');
  if (issue.code === 'unrecognized_keys') {
    throw new InvalidRequestError(`unknown field ${fieldName([...issue.path, issue.keys[0] ?? ''])}`);
  }
  const field = fieldName(issue.path);
  const top = issue.path[0];
  if (
    issue.path.length === 1 &&
    typeof top === 'string' &&
    (input as Record<string, unknown>)[top] === undefined
  ) {
    throw new InvalidRequestError(`missing required field ${field}`);
  }
  throw new InvalidRequestError(`invalid ${field}: ${issue.message}`);
}
