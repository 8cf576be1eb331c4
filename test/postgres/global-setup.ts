/**
 * Vitest global setup (Node side) for the `workers-pg` project: a throwaway PostgreSQL cluster with
 * migrations/pg applied, and the WebSocket proxy the Neon driver needs to reach it. Their addresses reach
 * the Worker as bindings through `provide` / `inject` (see vitest.config.ts); everything is stopped and
 * removed at the end. Without PostgreSQL binaries vitest.config.ts leaves this project out, except with
 * CI=true, where this setup then fails the run.
 */
import type { TestProject } from 'vitest/node';
import { addressOf, findPgBin, migratePg, startCluster } from '../../scripts/lib/postgres.mjs';
import { startWsProxy } from '../../scripts/pg-ws-proxy.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…` of the database the Worker runs on in the flows (migrated). */
    pgDatabaseUrl: string;
    /**
     * A second database (migrated) for the storage contract suites, whose fixtures (fake signing keys,
     * thousands of rows) must not meet the flows: on D1 every test file has storage of its own.
     */
    pgContractUrl: string;
    /** `127.0.0.1:<port>` of the WebSocket proxy (OAUTH2_DATABASE_WS_PROXY). */
    pgWsProxy: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bin = findPgBin();
  if (bin === null) {
    throw new Error(
      'PostgreSQL server binaries (initdb, postgres) were not found in $PGBIN, on PATH or in /usr/lib/postgresql/*/bin; ' +
        'the Postgres suites cannot run (install the `postgresql` package).',
    );
  }
  const started = Date.now();
  const cluster = await startCluster({ bin, extraDatabases: ['oauth2_contract'] });
  try {
    await Promise.all([migratePg(cluster.url), migratePg(cluster.urlOf('oauth2_contract'))]);
    const proxy = await startWsProxy({ allow: [addressOf(cluster.url)] });
    project.provide('pgDatabaseUrl', cluster.url);
    project.provide('pgContractUrl', cluster.urlOf('oauth2_contract'));
    project.provide('pgWsProxy', proxy.address);
    console.log(
      `workers-pg: PostgreSQL on ${addressOf(cluster.url)}, proxy ${proxy.address} (${Date.now() - started} ms)`,
    );
    return async () => {
      await proxy.close();
      await cluster.stop();
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
