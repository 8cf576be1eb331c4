/**
 * drizzle-kit config for PostgreSQL: `npm run db:generate:pg` writes migrations/pg from schema.ts.
 * `npm run db:migrate:pg` (scripts/db-migrate-pg.mjs) applies them to OAUTH2_DATABASE_URL.
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/storage/pg/schema.ts',
  out: './migrations/pg',
});
