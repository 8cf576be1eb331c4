/**
 * D1 table `federated_identities` (FederatedIdentityRecord, src/storage/identities.ts): one row per
 * upstream account, unique on (provider, subject). `user_id` refers to `users.id` without a foreign key,
 * like `sessions`: a link whose user was deleted is dropped at its next sign-in. No upstream token is kept.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const federatedIdentities = sqliteTable(
  'federated_identities',
  {
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id').notNull(),
    email: text('email'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'federated_identities_pk', columns: [t.provider, t.subject] }),
    index('federated_identities_user_id_idx').on(t.userId),
  ],
);
