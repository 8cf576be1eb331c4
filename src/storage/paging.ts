/** Keyset paging shared by every storage adapter: limit clamping and opaque (createdAt, id) cursors. */
import type { Page, PageRequest } from './ports';

/** Smallest and largest page size an adapter returns. */
export const MIN_PAGE_SIZE = 1;
export const MAX_PAGE_SIZE = 200;

/** The sort key of the last item on a page: rows strictly after it come next. */
export interface CursorKey {
  createdAt: number;
  id: string;
}

/** A page request with its limit clamped, offset normalised and cursor decoded. */
export interface NormalizedPage {
  limit: number;
  offset: number;
  after: CursorKey | null;
}

/** The `cursor` is not one this server issued (or it was altered). */
export class InvalidCursorError extends Error {
  constructor() {
    super('malformed paging cursor');
    this.name = 'InvalidCursorError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Clamps `limit` to MIN_PAGE_SIZE..MAX_PAGE_SIZE (non-numbers become MIN_PAGE_SIZE). */
export function clampLimit(limit: number): number {
  if (Number.isNaN(limit)) return MIN_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(MIN_PAGE_SIZE, Math.trunc(limit)));
}

/** Encodes a sort key as an opaque base64url cursor. */
export function encodeCursor(key: CursorKey): string {
  const bytes = new TextEncoder().encode(JSON.stringify([key.createdAt, key.id]));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes a cursor from encodeCursor; throws InvalidCursorError on anything else. */
export function decodeCursor(cursor: string): CursorKey {
  const parsed = parseCursorJson(cursor);
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [createdAt, id] = parsed as unknown[];
  if (!Number.isSafeInteger(createdAt) || typeof id !== 'string' || id === '') {
    throw new InvalidCursorError();
  }
  return { createdAt: createdAt as number, id };
}

function parseCursorJson(cursor: string): unknown {
  if (!BASE64URL.test(cursor) || cursor.length > 2048) throw new InvalidCursorError();
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new InvalidCursorError();
  }
}

/**
 * Normalises a PageRequest: limit clamped, offset a non-negative integer (applied after the
 * cursor position when both are given), cursor decoded (throws InvalidCursorError).
 */
export function normalizePage(page: PageRequest): NormalizedPage {
  const after = page.cursor === undefined ? null : decodeCursor(page.cursor);
  return { limit: clampLimit(page.limit), offset: normalizeOffset(page.offset), after };
}

function normalizeOffset(offset: number | undefined): number {
  if (offset === undefined || !Number.isFinite(offset) || offset < 0) return 0;
  return Math.trunc(offset);
}

/**
 * Builds a Page from up to `limit + 1` rows fetched newest first: the extra row only signals that
 * another page exists, and the cursor points at the last row returned.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (item: T) => CursorKey): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : encodeCursor(keyOf(last)) };
}
