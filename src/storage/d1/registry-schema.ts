/**
 * D1 tables of the scopes and APIs defined through the admin API (ScopeRecord, ResourceRecord in
 * src/storage/ports.ts). `scopes.name` is the scope-token; `resources.identifier` (the resource URI) is
 * unique and `resources.scopes` is a JSON array of scope names. Workers read both into a per-isolate
 * registry (src/oauth/scopes/stored-registry.ts), never per token request.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const scopes = sqliteTable(
  'scopes',
  {
    name: text('name').primaryKey(),
    description: text('description').notNull(),
    advertise: integer('advertise', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('scopes_created_at_name_idx').on(t.createdAt, t.name)],
);

export const resources = sqliteTable(
  'resources',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    name: text('name'),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    accessTokenFormat: text('access_token_format').$type<'jwt' | 'opaque'>(),
    accessTokenTtlSecs: integer('access_token_ttl_secs'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('resources_identifier_unique').on(t.identifier),
    index('resources_created_at_id_idx').on(t.createdAt, t.id),
  ],
);
