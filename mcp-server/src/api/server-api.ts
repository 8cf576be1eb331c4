/**
 * What a tool may call on the authorization server. `OAuthServerApi` implements it over HTTP; the Worker's
 * own /mcp endpoint implements it in-process with the caller's token (src/mcp in the server package).
 * Runtime-neutral: no Node built-ins, so the tool definitions can be bundled into the Worker.
 */
import type { ApiResult } from './response.js';

/** Client credentials presented at the token, introspection and revocation endpoints. */
export interface ClientCredentials {
  clientId: string;
  /** Absent for a public client: client_id goes in the body. */
  clientSecret?: string | undefined;
  /** How a secret is presented (default client_secret_basic). */
  method?: 'client_secret_basic' | 'client_secret_post' | undefined;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface ServerApi {
  /** The server's origin (issuer). */
  readonly baseUrl: string;
  /** The client used where a tool is given no credentials; undefined when there is none. */
  readonly defaultCredentials: ClientCredentials | undefined;
  /** GET on a public endpoint (health, readiness, metrics, discovery). */
  get(path: string, accept?: string): Promise<ApiResult>;
  /** POSTs a form to an OAuth endpoint, authenticating as `credentials`. */
  postForm(
    path: string,
    params: Record<string, string | undefined>,
    credentials: ClientCredentials,
  ): Promise<ApiResult>;
  /** Calls the admin JSON API with an admin-capable access token. */
  admin(method: string, path: string, options?: { query?: Query; body?: unknown }): Promise<ApiResult>;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then Base64 (ASCII after encoding, so btoa is safe). */
export function basicAuthorization(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}`;
}

/** The form body of a token-endpoint style request, and its headers, for `credentials`. */
export function clientForm(
  params: Record<string, string | undefined>,
  credentials: ClientCredentials,
): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) form.set(name, value);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  if (credentials.clientSecret === undefined) {
    form.set('client_id', credentials.clientId);
  } else if (credentials.method === 'client_secret_post') {
    form.set('client_id', credentials.clientId);
    form.set('client_secret', credentials.clientSecret);
  } else {
    headers.Authorization = basicAuthorization(credentials.clientId, credentials.clientSecret);
  }
  return { headers, body: form.toString() };
}

/** The path with its query string. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  return params.size > 0 ? `${path}?${params}` : path;
}
