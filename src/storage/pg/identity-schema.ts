/**
 * PostgreSQL table `federated_identities`: the D1 one (src/storage/d1/identity-schema.ts) with a
 * `bigint` epoch-seconds `created_at`. Unique on (provider, subject); `user_id` without a foreign key.
 */
import { bigint, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export const federatedIdentities = pgTable(
  'federated_identities',
  {
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id').notNull(),
    email: text('email'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'federated_identities_pk', columns: [t.provider, t.subject] }),
    index('federated_identities_user_id_idx').on(t.userId),
  ],
);
