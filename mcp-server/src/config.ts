/** The MCP server's settings, from the environment (names as in the seed's MCP server). */
import type { OAuthServerApiOptions } from './api/oauth-server-api.js';

/** `npm start` serves the Worker here. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): OAuthServerApiOptions {
  const raw = env.OAUTH2_BASE_URL?.trim() || DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`OAUTH2_BASE_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('OAUTH2_BASE_URL must be an http(s) URL');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError('OAUTH2_BASE_URL must not carry credentials, a query or a fragment');
  }
  const timeout = env.OAUTH2_MCP_TIMEOUT_MS ? Number(env.OAUTH2_MCP_TIMEOUT_MS) : undefined;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
    throw new ConfigError('OAUTH2_MCP_TIMEOUT_MS must be a positive integer (milliseconds)');
  }
  return {
    baseUrl: `${url.origin}${url.pathname}`.replace(/\/+$/, ''),
    clientId: env.OAUTH2_CLIENT_ID?.trim() || undefined,
    clientSecret: env.OAUTH2_CLIENT_SECRET || undefined,
    metricsToken: env.OAUTH2_METRICS_TOKEN || undefined,
    ...(timeout ? { timeoutMs: timeout } : {}),
  };
}
