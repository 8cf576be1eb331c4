import os from 'node:os';
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { postgresProjects } from './test/postgres/projects';
import { upstashProjects } from './test/upstash/project';

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
  // The suites sign the seed admin in with a password only; test/workers/mfa-*.test.ts turn the policy on.
  OAUTH2_MFA_REQUIRED_FOR_ADMINS: 'false',
  OAUTH2_ALLOW_INSECURE_DEFAULTS: '',
  // The console event plugin is on in tests, so the log scan (test/workers/logging.test.ts) covers event lines.
  OAUTH2_EVENTS_CONSOLE: 'true',
  // Rate limits far above what any test sends from its one address; the rate-limit tests set their own.
  OAUTH2_RATE_LIMIT_MAX_REQUESTS: '1000000',
  OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: '1000000',
  OAUTH2_RATE_LIMIT_REGISTRATION_MAX_REQUESTS: '1000000',
};

const QUIET_LOG_LINE = /^\{"level":"info","msg":"(request|event)"/;

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations/d1'));
  return {
    test: {
      // Vitest's default is one worker fewer than the cores, which runs the suite file by file on a 2-core
      // machine. The files wait on workerd start-ups, servers and browsers more than they compute, so two at
      // a time take about a quarter less wall time there (measured: 915 s against 1,240 s for the whole run).
      maxWorkers: Math.max(2, os.availableParallelism() - 1),
      // The Worker's per-request and per-event info lines (JSON, one per request / event) are left out of
      // the test output; warnings and errors still show. test/workers/logging.test.ts inspects them itself.
      onConsoleLog: (log: string) => !QUIET_LOG_LINE.test(log),
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: './worker/index.ts',
              wrangler: { configPath: './wrangler.toml' },
              // RATE_LIMIT_KV: the KV rate-limit backend's namespace (test/workers/rate-limit.test.ts).
              miniflare: {
                bindings: { ...TEST_VARS, TEST_MIGRATIONS: migrations },
                kvNamespaces: ['RATE_LIMIT_KV'],
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/workers/**/*.test.ts'],
            setupFiles: ['./test/workers/apply-migrations.ts'],
          },
        },
        // PostgreSQL: `workers-pg` (contract + flows on a throwaway cluster) and `workers-pg-down`.
        ...(await postgresProjects({ migrations, vars: TEST_VARS })),
        // The Upstash rate-limit backend against a real Redis behind a local Upstash REST server.
        ...upstashProjects({ migrations, vars: TEST_VARS }),
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
