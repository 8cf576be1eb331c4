/**
 * The MCP tools' view of the server (mcp-server's `ServerApi`) for the Worker's own /mcp endpoint: every
 * call is a request to this same app, dispatched in-process (no network hop), and the admin API is
 * called with the MCP caller's own access token, so the tools act with the caller's rights.
 */
import { type ApiResult, failure, readResponse } from '../../mcp-server/src/api/response';
import {
  type ClientCredentials,
  clientForm,
  type Query,
  type ServerApi,
  withQuery,
} from '../../mcp-server/src/api/server-api';

/** Sends a request to the app itself. */
export type InProcessFetch = (request: Request) => Promise<Response>;

export interface InProcessApiOptions {
  /** The issuer: absolute URLs of the inner requests are built on it. */
  baseUrl: string;
  /** The caller's access token, sent to the admin API. */
  accessToken: string;
  /** Headers copied onto every inner request (the caller's address, so rate limits and the denylist apply). */
  forwardHeaders: Record<string, string>;
  fetch: InProcessFetch;
}

export class InProcessApi implements ServerApi {
  readonly baseUrl: string;
  /** No client of its own: token-endpoint tools must be given client credentials. */
  readonly defaultCredentials: ClientCredentials | undefined = undefined;
  readonly #options: InProcessApiOptions;

  constructor(options: InProcessApiOptions) {
    this.baseUrl = options.baseUrl;
    this.#options = options;
  }

  get(path: string, accept = 'application/json'): Promise<ApiResult> {
    return this.#send('GET', path, { Accept: accept });
  }

  postForm(
    path: string,
    params: Record<string, string | undefined>,
    credentials: ClientCredentials,
  ): Promise<ApiResult> {
    const { headers, body } = clientForm(params, credentials);
    return this.#send('POST', path, headers, body);
  }

  admin(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<ApiResult> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.#options.accessToken}`,
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    return this.#send(method, withQuery(path, options.query), headers, body);
  }

  async #send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<ApiResult> {
    const what = `${method} ${path.split('?')[0]}`;
    if (!path.startsWith('/') || path.startsWith('//'))
      return failure('invalid_request', `${what}: not a path`);
    const request = new Request(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.#options.forwardHeaders, ...headers },
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
    });
    const res = await this.#options.fetch(request);
    return readResponse(res, what);
  }
}
