/**
 * Reading a body with a size cap: the one place that reads request bodies (worker/middleware/body.ts) and
 * bodies fetched from elsewhere (upstream providers, jwks_uri, client metadata documents) in bounded memory.
 */

/**
 * The body's bytes, or null when it is longer than `limit`: by its declared Content-Length (the body is then
 * never read) or by what arrives (reading stops at the limit and the rest is cancelled).
 */
export async function readCappedBytes(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  limit: number,
): Promise<Uint8Array | null> {
  if (Number(declaredLength ?? '0') > limit) {
    await body?.cancel().catch(() => {});
    return null;
  }
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
