/**
 * PostgreSQL tables of the scopes and APIs defined through the admin API: the D1 ones
 * (src/storage/d1/registry-schema.ts) with native `boolean`, `jsonb` and `bigint` epoch seconds. The keys
 * listings sort by are `COLLATE "C"` (see schema.ts).
 */
import { bigint, boolean, customType, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';

const byteOrderedText = customType<{ data: string; driverData: string }>({
  dataType: () => 'text COLLATE "C"',
});

export const scopes = pgTable(
  'scopes',
  {
    name: byteOrderedText('name').primaryKey(),
    description: text('description').notNull(),
    advertise: boolean('advertise').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('scopes_created_at_name_idx').on(t.createdAt, t.name)],
);

export const resources = pgTable(
  'resources',
  {
    id: byteOrderedText('id').primaryKey(),
    identifier: text('identifier').notNull(),
    name: text('name'),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    accessTokenFormat: text('access_token_format').$type<'jwt' | 'opaque'>(),
    accessTokenTtlSecs: bigint('access_token_ttl_secs', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('resources_identifier_unique').on(t.identifier),
    index('resources_created_at_id_idx').on(t.createdAt, t.id),
  ],
);
