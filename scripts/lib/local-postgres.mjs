/**
 * `npm start` with PostgreSQL: when OAUTH2_DATABASE_URL (the environment first, else .dev.vars) is a
 * `postgres://` URL on a loopback host, start the WebSocket proxy the Neon driver needs to reach it
 * (unless OAUTH2_DATABASE_WS_PROXY names one already), apply migrations/pg, and return the extra
 * `wrangler dev` arguments that hand both to the Worker.
 */
import { startWsProxy } from '../pg-ws-proxy.mjs';
import { addressOf, isLoopbackUrl, migratePg } from './postgres.mjs';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Where a URL points, without its password (for messages). */
export function describeUrl(url) {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}` : 'an unparseable URL';
}

/**
 * Prepares a local PostgreSQL for wrangler dev. `devVars`: the parsed .dev.vars (or {}).
 * Resolves to `{ args, stop }` (args for wrangler dev; stop() closes the proxy), or null on D1.
 */
export async function prepareLocalPostgres(devVars) {
  const fromEnv = process.env.OAUTH2_DATABASE_URL?.trim();
  const url = fromEnv || devVars.OAUTH2_DATABASE_URL?.trim();
  if (!url || !POSTGRES_URL.test(url)) return null;
  // wrangler dev passes only .dev.vars and [vars] to the Worker: settings from the environment go as --var.
  const args = fromEnv ? ['--var', `OAUTH2_DATABASE_URL:${url}`] : [];

  if (!isLoopbackUrl(url)) {
    console.log(
      `PostgreSQL at ${describeUrl(url)} is not on this machine: npm start leaves it alone ` +
        '(apply migrations with `npm run db:migrate:pg`).',
    );
    return { args, stop: async () => {} };
  }

  console.log(`Applying migrations/pg to ${describeUrl(url)} ...`);
  try {
    await migratePg(url);
  } catch (error) {
    throw new Error(
      `cannot apply migrations/pg to ${describeUrl(url)}: ${error instanceof Error ? error.message : error}. ` +
        'Is PostgreSQL running there, and do the user, password and database in OAUTH2_DATABASE_URL exist?',
    );
  }

  const configured = process.env.OAUTH2_DATABASE_WS_PROXY?.trim() || devVars.OAUTH2_DATABASE_WS_PROXY?.trim();
  if (configured) {
    console.log(`Using the WebSocket proxy at ${configured} (OAUTH2_DATABASE_WS_PROXY).`);
    if (process.env.OAUTH2_DATABASE_WS_PROXY?.trim())
      args.push('--var', `OAUTH2_DATABASE_WS_PROXY:${configured}`);
    return { args, stop: async () => {} };
  }
  const proxy = await startWsProxy({ allow: [addressOf(url)] });
  console.log(
    `PostgreSQL WebSocket proxy on ${proxy.address} -> ${addressOf(url)} (scripts/pg-ws-proxy.mjs).`,
  );
  args.push('--var', `OAUTH2_DATABASE_WS_PROXY:${proxy.address}`);
  return { args, stop: () => proxy.close() };
}
