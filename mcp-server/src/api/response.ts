/**
 * What a call to the authorization server produced: a parsed success, or a failure carrying the server's
 * `{error, error_description}` (or a synthesized one for network errors and non-JSON answers).
 */

/** A 2xx answer; `body` is the parsed JSON, the text for non-JSON answers, or null when empty. */
export interface ApiSuccess {
  ok: true;
  status: number;
  contentType: string;
  body: unknown;
}

/** A failure as the tools report it: the server's error fields, plus the HTTP status (0: no response). */
export interface ApiFailure {
  ok: false;
  http_status: number;
  error: string;
  error_description?: string;
  /** The response body when it was not an OAuth error object (e.g. the readiness report). */
  body?: unknown;
}

export type ApiResult = ApiSuccess | ApiFailure;

export function failure(error: string, description: string, httpStatus = 0, body?: unknown): ApiFailure {
  const result: ApiFailure = { ok: false, http_status: httpStatus, error, error_description: description };
  if (body !== undefined) result.body = body;
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a response: JSON when it says so (or looks like it), else text. */
export async function readResponse(res: Response, what: string): Promise<ApiResult> {
  const contentType = res.headers.get('content-type') ?? '';
  const text = await res.text();
  let body: unknown = text.length === 0 ? null : text;
  if (text.length > 0 && (/json/i.test(contentType) || /^\s*[{[]/.test(text))) {
    try {
      body = JSON.parse(text);
    } catch {
      if (res.ok) return failure('invalid_response', `${what}: the server sent malformed JSON`, res.status);
    }
  }
  if (res.ok) return { ok: true, status: res.status, contentType, body };

  if (isRecord(body) && typeof body.error === 'string') {
    const result: ApiFailure = { ok: false, http_status: res.status, error: body.error };
    if (typeof body.error_description === 'string') result.error_description = body.error_description;
    return result;
  }
  const error = res.status >= 500 ? 'server_error' : res.status === 404 ? 'not_found' : 'http_error';
  const snippet = typeof body === 'string' ? body.slice(0, 500) : body;
  return failure(
    error,
    `${what} answered ${res.status} ${res.statusText}`.trim(),
    res.status,
    snippet ?? undefined,
  );
}
