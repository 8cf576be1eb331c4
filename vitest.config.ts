import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/** Fixed, strong test-only secrets; the real ones come from .dev.vars or `wrangler secret put`. */
export const TEST_VARS = {
  OAUTH2_SESSION_KEY: 'test-session-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  OAUTH2_KEY_ENCRYPTION_KEY: 'test-key-encryption-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  OAUTH2_ADMIN_CLIENT_ID: 'admin-client',
  OAUTH2_ADMIN_CLIENT_SECRET: 'test-admin-client-secret-5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d',
  OAUTH2_SEED_USERNAME: 'admin',
  OAUTH2_SEED_PASSWORD: 'test-seed-password-3c2b1a09f8e7',
  OAUTH2_SEED_EMAIL: 'admin@example.com',
  OAUTH2_PUBLIC_URL: '',
  OAUTH2_DATABASE_URL: '',
  OAUTH2_ACCESS_TOKENS_OPAQUE: 'false',
  OAUTH2_PUBLIC_INTROSPECTION: 'false',
  OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'false',
  OAUTH2_ALLOW_INSECURE_DEFAULTS: '',
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations/d1'));
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: './worker/index.ts',
              wrangler: { configPath: './wrangler.toml' },
              miniflare: { bindings: { ...TEST_VARS, TEST_MIGRATIONS: migrations } },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/workers/**/*.test.ts'],
            setupFiles: ['./test/workers/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'node',
            environment: 'node',
            include: ['test/node/**/*.test.ts'],
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
