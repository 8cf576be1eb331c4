/** Shared paging cases (newest first, cursor and offset, clamping, bad cursors) for every listed port. */
import { expect, it } from 'vitest';
import { InvalidCursorError, MAX_PAGE_SIZE } from '../paging';
import type { Page, PageRequest } from '../ports';
import { base64url, NOW } from './fixtures';

/** The paging key of a listed record. */
export interface Keyed {
  createdAt: number;
  id: string;
}

/** One listed collection: how to add a record to it and how to page through it. */
export interface PagingSubject {
  /** Creates a record with this createdAt; returns its key. */
  create(createdAt: number): Promise<Keyed>;
  list(page: PageRequest): Promise<Page<Keyed>>;
  /** True when `list` sees only records made by this subject (e.g. grants filtered by a fresh client). */
  isolated: boolean;
}

/** Three records share a timestamp, two share another: ties must be broken by id. */
const CREATED_AT_OFFSETS = [3, 3, 3, 2, 1, 1, 0];
const PAGE = 3;
const MAX_PAGES = 10_000;

/** Registers the paging `it` cases; `makeSubject` is called once per case. */
export function itPagesNewestFirst(makeSubject: () => Promise<PagingSubject> | PagingSubject): void {
  it('walks pages by cursor: every record once, newest first, ties by id', async () => {
    const subject = await makeSubject();
    const mine = await createSeven(subject);
    const pages = await walk(subject, (cursor) => ({ limit: PAGE, cursor }));
    expectWalk(pages, mine, subject.isolated);
  });

  it('walks pages by offset: every record once, newest first', async () => {
    const subject = await makeSubject();
    const mine = await createSeven(subject);
    const pages = await walkByOffset(subject);
    expectWalk(pages, mine, subject.isolated);
  });

  it('answers nextCursor null when the last page is exactly full', async () => {
    const subject = await makeSubject();
    await createSeven(subject);
    const total = (await walk(subject, (cursor) => ({ limit: MAX_PAGE_SIZE, cursor }))).flat().length;
    const byOffset = await subject.list({ limit: PAGE, offset: total - PAGE });
    expect(byOffset.items).toHaveLength(PAGE);
    expect(byOffset.nextCursor).toBeNull();
    const before = await subject.list({ limit: PAGE, offset: total - 2 * PAGE });
    expect(before.nextCursor).not.toBeNull();
    const byCursor = await subject.list({ limit: PAGE, cursor: before.nextCursor ?? undefined });
    expect(byCursor.items).toHaveLength(PAGE);
    expect(byCursor.nextCursor).toBeNull();
  });

  it('clamps limit to 1..200', async () => {
    const subject = await makeSubject();
    await createSeven(subject);
    expect((await subject.list({ limit: 0 })).items).toHaveLength(1);
    expect((await subject.list({ limit: -5 })).items).toHaveLength(1);
    expect((await subject.list({ limit: 10_000 })).items.length).toBeLessThanOrEqual(MAX_PAGE_SIZE);
  });

  it('rejects a malformed cursor with InvalidCursorError', async () => {
    const subject = await makeSubject();
    for (const cursor of MALFORMED_CURSORS) {
      const error = await subject.list({ limit: PAGE, cursor }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `cursor ${JSON.stringify(cursor)}`).toBeInstanceOf(InvalidCursorError);
      if (cursor !== '') expect((error as Error).message).not.toContain(cursor);
    }
  });

  it('keeps later pages stable when a newer record arrives mid-walk (cursor)', async () => {
    const subject = await makeSubject();
    const mine = await createSeven(subject);
    const first = await subject.list({ limit: PAGE });
    await subject.create(NOW + 1_000_000);
    const rest = await walk(subject, (cursor) => ({ limit: PAGE, cursor }), first.nextCursor);
    expectWalk([first.items, ...rest], mine, subject.isolated);
  });
}

const MALFORMED_CURSORS = [
  '',
  'not a cursor',
  '!!!!',
  'abc',
  base64url('{"createdAt":1,"id":"x"}'),
  base64url('[1]'),
  base64url('["1","x"]'),
  base64url('[1.5,"x"]'),
  base64url('[1,""]'),
  base64url('[1,"x",2]'),
];

/** Creates seven records in shuffled order; returns their keys in the expected newest-first order. */
async function createSeven(subject: PagingSubject): Promise<Keyed[]> {
  const base = NOW - 500_000 + Math.floor(Math.random() * 100_000);
  const keys: Keyed[] = [];
  for (const offset of [...CREATED_AT_OFFSETS].reverse()) keys.push(await subject.create(base + offset));
  return keys.sort(newestFirst);
}

function newestFirst(a: Keyed, b: Keyed): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

async function walk(
  subject: PagingSubject,
  request: (cursor: string | undefined) => PageRequest,
  start: string | null | undefined = undefined,
): Promise<Keyed[][]> {
  const pages: Keyed[][] = [];
  let cursor = start;
  while (cursor !== null && pages.length < MAX_PAGES) {
    const page = await subject.list(request(cursor));
    pages.push(page.items);
    cursor = page.nextCursor;
  }
  return pages;
}

async function walkByOffset(subject: PagingSubject): Promise<Keyed[][]> {
  const pages: Keyed[][] = [];
  let offset = 0;
  for (let more = true; more && pages.length < MAX_PAGES; ) {
    const page = await subject.list({ limit: PAGE, offset });
    pages.push(page.items);
    offset += page.items.length;
    more = page.nextCursor !== null;
  }
  return pages;
}

/** Full pages until the last; no record twice; newest first; `mine` seen once each, in order. */
function expectWalk(pages: Keyed[][], mine: Keyed[], isolated: boolean): void {
  const all = pages.flat();
  for (const page of pages.slice(0, -1)) expect(page).toHaveLength(PAGE);
  expect(new Set(all.map((k) => k.id)).size).toBe(all.length);
  for (let i = 1; i < all.length; i++) {
    expect(all[i]?.createdAt).toBeLessThanOrEqual(all[i - 1]?.createdAt ?? Number.POSITIVE_INFINITY);
  }
  const mineIds = new Set(mine.map((k) => k.id));
  const seen = all.filter((k) => mineIds.has(k.id)).map(({ createdAt, id }) => ({ createdAt, id }));
  expect(seen).toEqual(mine);
  if (isolated) expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
}
