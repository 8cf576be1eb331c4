/**
 * The `workers-upstash` vitest project (imported by vitest.config.ts): the rate limiter on its Upstash
 * backend, inside workerd, against a real Redis behind a local Upstash-compatible REST server that
 * global-setup.ts starts. Without redis-server the project is left out with a warning, unless CI=true:
 * then it stays and its global setup fails the run, so CI never passes without having run it.
 */
import type { D1Migration } from '@cloudflare/vitest-pool-workers';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import type { TestProjectConfiguration } from 'vitest/config';
import { upstashSuiteDecision } from './decision';
import { findRedisServer } from './redis';

interface Options {
  migrations: D1Migration[];
  /** The test vars every workers project binds. */
  vars: Record<string, string>;
}

export function upstashProjects({ migrations, vars }: Options): TestProjectConfiguration[] {
  const decision = upstashSuiteDecision(process.env, findRedisServer());
  if (decision.action === 'skip') {
    console.warn(`\n${decision.message}\n`);
    return [];
  }
  return [
    {
      plugins: [
        cloudflareTest(({ inject }) => ({
          main: './worker/index.ts',
          wrangler: { configPath: './wrangler.toml' },
          miniflare: {
            bindings: {
              ...vars,
              TEST_MIGRATIONS: migrations,
              OAUTH2_RATE_LIMIT_UPSTASH_URL: inject('upstashUrl'),
              OAUTH2_RATE_LIMIT_UPSTASH_TOKEN: inject('upstashToken'),
            },
          },
        })),
      ],
      test: {
        name: 'workers-upstash',
        include: ['test/workers-upstash/**/*.test.ts'],
        setupFiles: ['./test/workers/apply-migrations.ts'],
        globalSetup: ['./test/upstash/global-setup.ts'],
      },
    },
  ];
}
