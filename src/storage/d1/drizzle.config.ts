/** drizzle-kit config for D1: `npx drizzle-kit generate --config src/storage/d1/drizzle.config.ts`. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/d1/schema.ts',
  out: './migrations/d1',
});
