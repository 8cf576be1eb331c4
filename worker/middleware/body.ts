/** Request bodies with a size cap, a required media type and strict decoding (bad input is a 4xx, never a 500). */
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../src/oauth/errors';
import { type FormParams, parseForm } from '../../src/oauth/form';
import { readCappedBytes } from '../../src/resilience/capped-body';

/** OAuth form posts are small; 16 KiB leaves room for long assertions later. */
export const FORM_BODY_LIMIT = 16 * 1024;
export const JSON_BODY_LIMIT = 64 * 1024;

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;.*)?$/i;
const JSON_TYPE = /^application\/json\s*(;.*)?$/i;

/** Reads at most `limit` bytes as UTF-8; 413 beyond it, 400 on invalid UTF-8. */
export async function readText(request: Request, limit: number): Promise<string> {
  const length = request.headers.get('content-length');
  const declared = Number(length ?? '0');
  if (declared > limit) throw new PayloadTooLargeError(limit);
  if (!request.body) return '';
  // A declared length within the limit: one native read (the runtime holds the body to that length).
  // Without one (chunked), the body is read in chunks and cut off at the limit.
  if (length !== null && Number.isSafeInteger(declared) && declared >= 0) {
    const buffer = await request.arrayBuffer();
    if (buffer.byteLength > limit) throw new PayloadTooLargeError(limit);
    return decodeUtf8(new Uint8Array(buffer));
  }
  const bytes = await readCappedBytes(request.body, null, limit);
  if (bytes === null) throw new PayloadTooLargeError(limit);
  return decodeUtf8(bytes);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new InvalidRequestError('the request body is not valid UTF-8');
  }
}

/** An application/x-www-form-urlencoded body, strictly parsed. */
export async function readForm(request: Request, limit = FORM_BODY_LIMIT): Promise<FormParams> {
  if (!FORM_TYPE.test(request.headers.get('content-type') ?? '')) {
    throw new UnsupportedMediaTypeError('application/x-www-form-urlencoded');
  }
  return parseForm(await readText(request, limit));
}

/** An application/json body that must be a JSON object. */
export async function readJsonObject(
  request: Request,
  limit = JSON_BODY_LIMIT,
): Promise<Record<string, unknown>> {
  if (!JSON_TYPE.test(request.headers.get('content-type') ?? '')) {
    throw new UnsupportedMediaTypeError('application/json');
  }
  let value: unknown;
  try {
    value = JSON.parse(await readText(request, limit));
  } catch (error) {
    if (error instanceof InvalidRequestError || error instanceof PayloadTooLargeError) throw error;
    throw new InvalidRequestError('the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError('the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
