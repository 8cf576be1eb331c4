/**
 * The vitest projects that run the Worker on PostgreSQL (imported by vitest.config.ts):
 * - `workers-pg`: the storage contract (through the local WebSocket proxy and through Miniflare's
 *   Hyperdrive) plus the black-box flows of POSTGRES_FLOWS, against a throwaway cluster that
 *   global-setup.ts starts; its URL and proxy address arrive as bindings through `inject`;
 * - `workers-pg-down`: the Worker with its database unreachable (closed loopback ports): 503, never 500.
 * Without PostgreSQL binaries `workers-pg` is left out with a warning, unless CI=true: then it stays
 * and its global setup fails the run, so CI never passes without having run it.
 */
import type { D1Migration } from '@cloudflare/vitest-pool-workers';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import type { TestProjectConfiguration } from 'vitest/config';
import { findPgBin, freePort } from '../../scripts/lib/postgres.mjs';

/**
 * Black-box flows that run a second time with the Worker on PostgreSQL: the OAuth flows, and the admin API
 * files that lean on storage (search, paging, daily counts, key rotation through the KeyRing). The rest
 * of the suite (pages, guards, hostile input, ...) exercises the same storage calls and runs on D1 only,
 * to keep `npm test` within a few minutes on 2 cores.
 */
export const POSTGRES_FLOWS = [
  'test/workers/client-credentials.test.ts',
  'test/workers/introspection-revocation.test.ts',
  'test/workers/registration.test.ts',
  'test/workers/authorization-code.test.ts',
  'test/workers/refresh-token.test.ts',
  'test/workers/admin-clients.test.ts',
  'test/workers/admin-users.test.ts',
  'test/workers/admin-grants-keys.test.ts',
  'test/workers/hostile-input.test.ts',
];

interface Options {
  migrations: D1Migration[];
  /** The test vars every workers project binds. */
  vars: Record<string, string>;
}

export async function postgresProjects({ migrations, vars }: Options): Promise<TestProjectConfiguration[]> {
  const base = { main: './worker/index.ts', wrangler: { configPath: './wrangler.toml' } };
  const setupFiles = ['./test/workers/apply-migrations.ts'];
  const [closedDb, closedProxy] = [await freePort(), await freePort()];
  const down: TestProjectConfiguration = {
    plugins: [
      cloudflareTest({
        ...base,
        miniflare: {
          bindings: {
            ...vars,
            TEST_MIGRATIONS: migrations,
            OAUTH2_DATABASE_URL: `postgres://oauth2:unused@127.0.0.1:${closedDb}/oauth2`,
            OAUTH2_DATABASE_WS_PROXY: `127.0.0.1:${closedProxy}`,
          },
        },
      }),
    ],
    test: { name: 'workers-pg-down', include: ['test/workers-pg-down/**/*.test.ts'], setupFiles },
  };

  if (findPgBin() === null && process.env.CI !== 'true') {
    console.warn(
      '\n⚠ PostgreSQL not found (no initdb in $PGBIN, on PATH or in /usr/lib/postgresql/*/bin): the `workers-pg` ' +
        'project (storage contract and flows on PostgreSQL) is SKIPPED. Install the `postgresql` package ' +
        'to run it; with CI=true a missing PostgreSQL fails the run instead.\n',
    );
    return [down];
  }

  const live: TestProjectConfiguration = {
    plugins: [
      cloudflareTest(({ inject }) => ({
        ...base,
        miniflare: {
          bindings: {
            ...vars,
            TEST_MIGRATIONS: migrations,
            OAUTH2_DATABASE_URL: inject('pgDatabaseUrl'),
            OAUTH2_DATABASE_WS_PROXY: inject('pgWsProxy'),
            TEST_PG_CONTRACT_URL: inject('pgContractUrl'),
          },
          hyperdrives: { TEST_HYPERDRIVE: inject('pgContractUrl') },
        },
      })),
    ],
    test: {
      name: 'workers-pg',
      include: ['test/workers-pg/**/*.test.ts', ...POSTGRES_FLOWS],
      setupFiles,
      globalSetup: ['./test/postgres/global-setup.ts'],
      hookTimeout: 60_000,
    },
  };
  return [live, down];
}
