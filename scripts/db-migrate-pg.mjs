#!/usr/bin/env node
/**
 * `npm run db:migrate:pg`: applies migrations/pg (drizzle-kit SQL from src/storage/pg/schema.ts) to
 * OAUTH2_DATABASE_URL, taken from the environment, else from .dev.vars. Connects with node-postgres over
 * plain TCP (no WebSocket proxy needed); append `?sslmode=require` for a remote server. Applied migrations
 * are recorded in `drizzle.__drizzle_migrations`, so running it again applies only new ones.
 */
import { DEV_VARS, readDotenvFile } from './lib/local-env.mjs';
import { describeUrl } from './lib/local-postgres.mjs';
import { migratePg, PG_MIGRATIONS } from './lib/postgres.mjs';

const url = process.env.OAUTH2_DATABASE_URL?.trim() || readDotenvFile(DEV_VARS)?.OAUTH2_DATABASE_URL?.trim();
if (!url || !/^postgres(ql)?:\/\//i.test(url)) {
  console.error(
    'db:migrate:pg: set OAUTH2_DATABASE_URL (environment or .dev.vars) to a postgres:// or postgresql:// URL.',
  );
  process.exit(2);
}
try {
  await migratePg(url, PG_MIGRATIONS);
  console.log(`db:migrate:pg: migrations/pg applied to ${describeUrl(url)}.`);
} catch (error) {
  console.error(
    `db:migrate:pg: failed on ${describeUrl(url)}: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
}
