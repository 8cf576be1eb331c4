/**
 * The authorization server over HTTP: public endpoints, the OAuth endpoints with client authentication, and
 * the admin JSON API with a cached admin token (refreshed once when the server answers 401).
 * Nothing here throws for an expected failure: every method resolves to an ApiResult.
 */
import { AdminTokenCache } from './admin-token.js';
import { type ApiFailure, type ApiResult, failure, readResponse } from './response.js';
import { type ClientCredentials, clientForm, type Query, type ServerApi, withQuery } from './server-api.js';

export type { ClientCredentials, Query, ServerApi } from './server-api.js';

export interface OAuthServerApiOptions {
  /** The server's origin (issuer), e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** The admin client: may use client_credentials with scope admin. */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** The server's OAUTH2_METRICS_TOKEN, sent as a Bearer token to GET /metrics when the server requires one. */
  metricsToken?: string | undefined;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Clock for the token cache (epoch ms). */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export class OAuthServerApi implements ServerApi {
  readonly baseUrl: string;
  readonly #options: OAuthServerApiOptions;
  readonly #fetch: typeof fetch;
  readonly #tokens: AdminTokenCache;

  constructor(options: OAuthServerApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#tokens = new AdminTokenCache(() => this.#fetchAdminToken(), options.now);
  }

  /** The configured admin client, used where a tool is given no credentials. */
  get defaultCredentials(): ClientCredentials | undefined {
    const { clientId, clientSecret } = this.#options;
    return clientId ? { clientId, clientSecret } : undefined;
  }

  /** GET on a public endpoint (health, readiness, metrics, discovery). */
  get(path: string, accept = 'application/json'): Promise<ApiResult> {
    const headers: Record<string, string> = { Accept: accept };
    const { metricsToken } = this.#options;
    if (metricsToken && path.split('?')[0] === '/metrics') headers.Authorization = `Bearer ${metricsToken}`;
    return this.#send('GET', path, { headers });
  }

  /** POSTs a form to an OAuth endpoint, authenticating as `credentials`. */
  postForm(path: string, params: Record<string, string | undefined>, credentials: ClientCredentials) {
    const { headers, body } = clientForm(params, credentials);
    return this.#send('POST', path, { headers, body });
  }

  /** Calls the admin JSON API with the admin token; one retry with a fresh token after a 401. */
  async admin(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<ApiResult> {
    const target = withQuery(path, options.query);
    for (let attempt = 0; ; attempt++) {
      const token = await this.#tokens.get();
      if (!token.ok) return token;
      const headers: Record<string, string> = {
        Accept: 'application/json',
        Authorization: `Bearer ${token.token}`,
      };
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      const result = await this.#send(method, target, { headers, body });
      if (result.ok || result.http_status !== 401 || attempt > 0) return result;
      this.#tokens.invalidate(token.token);
    }
  }

  async #fetchAdminToken(): Promise<{ ok: true; token: string; expiresIn?: number } | ApiFailure> {
    const credentials = this.defaultCredentials;
    if (!credentials?.clientSecret) {
      return failure(
        'not_configured',
        'set OAUTH2_CLIENT_ID and OAUTH2_CLIENT_SECRET to an admin client (client_credentials, scope admin)',
      );
    }
    const result = await this.postForm(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'admin' },
      credentials,
    );
    if (!result.ok) {
      return { ...result, error_description: `admin token: ${result.error_description ?? result.error}` };
    }
    const body = result.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (typeof body?.access_token !== 'string') {
      return failure('invalid_response', 'the token endpoint returned no access_token', result.status);
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined;
    return expiresIn === undefined
      ? { ok: true, token: body.access_token }
      : { ok: true, token: body.access_token, expiresIn };
  }

  async #send(
    method: string,
    path: string,
    init: { headers: Record<string, string>; body?: string | undefined },
  ): Promise<ApiResult> {
    const what = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers: init.headers,
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const reason =
        e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.cause?.message ?? e.message);
      return failure('network_error', `${what} to ${this.baseUrl} failed: ${reason}`);
    }
    try {
      return await readResponse(res, what);
    } catch (error) {
      return failure(
        'network_error',
        `${what}: reading the response failed: ${(error as Error).message}`,
        res.status,
      );
    }
  }
}
