/**
 * Paged listings of the admin API: `limit` (1..200, default 50) with an opaque `cursor` from the previous
 * page's `next_cursor`, or an `offset`; newest first with ties broken by id (src/storage/paging.ts), so
 * a walk by cursor sees every record once even while new ones arrive.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../oauth/errors';
import { InvalidCursorError, MAX_PAGE_SIZE } from '../storage/paging';
import type { Page, PageRequest } from '../storage/ports';

export const DEFAULT_PAGE_SIZE = 50;
/** Deeper pages must be reached by cursor (an offset scan costs every skipped row). */
export const MAX_OFFSET = 100_000;
const MAX_CURSOR_LENGTH = 2048;

/** A query string as a record of single values (repeated parameters are refused before this). */
export type Query = Record<string, string | undefined>;

/** The paging parameters, for the OpenAPI document (every list endpoint takes them). */
export const PageQuerySchema = z.object({
  limit: z
    .string()
    .optional()
    .meta({ description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`, example: '50' }),
  cursor: z.string().optional().meta({ description: 'The next_cursor of the previous page' }),
  offset: z
    .string()
    .optional()
    .meta({
      description: `Rows to skip (0 to ${MAX_OFFSET}); after the cursor position when both are given`,
    }),
});

/** The search parameter `q` of a listing, for the OpenAPI document (read by `parseSearchQuery`). */
export function searchQuerySchema(description: string) {
  return z.object({ q: z.string().optional().meta({ description }) });
}

/** A page as the admin API answers it. */
export interface PageView<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** The response schema of a listing of `item`. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      next_cursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as cursor for the next page; null on the last' }),
    })
    .meta({ id });
}

function integerParam(query: Query, name: string, min: number, max: number): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw new InvalidRequestError(`invalid ${name}: must be a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new InvalidRequestError(`invalid ${name}: must be ${min} to ${max}`);
  return value;
}

/** The PageRequest of a query string; invalid_request naming `limit`, `offset` or `cursor`. */
export function parsePageQuery(query: Query): PageRequest {
  const cursor = query.cursor;
  if (cursor !== undefined && (cursor === '' || cursor.length > MAX_CURSOR_LENGTH)) {
    throw new InvalidRequestError('invalid cursor: malformed paging cursor');
  }
  return {
    limit: integerParam(query, 'limit', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
    cursor,
    offset: integerParam(query, 'offset', 0, MAX_OFFSET),
  };
}

/** Loads a page and maps its records; a cursor this server did not issue is invalid_request. */
export async function pageOf<R, V>(
  load: () => Promise<Page<R>>,
  view: (record: R) => V,
): Promise<PageView<V>> {
  try {
    const page = await load();
    return { items: page.items.map(view), next_cursor: page.nextCursor };
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new InvalidRequestError('invalid cursor: malformed paging cursor');
    throw error;
  }
}

/** An optional search parameter `name`: trimmed, empty = absent, at most `max` characters. */
export function searchParam(query: Query, name: string, max = 200): string | undefined {
  const value = query[name]?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > max) throw new InvalidRequestError(`invalid ${name}: must be at most ${max} characters`);
  return value;
}

/** The PageRequest of a searchable listing, with its search text `q` (see `searchQuerySchema`). */
export function parseSearchQuery(query: Query): PageRequest & { q: string | undefined } {
  return { ...parsePageQuery(query), q: searchParam(query, 'q') };
}
