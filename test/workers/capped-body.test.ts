/**
 * Bodies read with a size cap (src/resilience/capped-body.ts): request bodies of the form and JSON endpoints,
 * and bodies fetched from upstream providers, jwks_uri and client metadata documents.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readCappedBytes } from '../../src/resilience/capped-body';
import { ADMIN_ID, ADMIN_SECRET, basic, expectOAuthError } from './helpers';

/** A stream of `count` chunks of `size` bytes that records whether it was cancelled and how much was pulled. */
function chunks(count: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === count) {
        controller.close();
        return;
      }
      state.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe('readCappedBytes', () => {
  it('joins the chunks of a body within the limit', async () => {
    const { stream } = chunks(3, 10);
    const bytes = await readCappedBytes(stream, null, 30);
    expect(bytes?.byteLength).toBe(30);
    expect(new TextDecoder().decode(bytes ?? new Uint8Array())).toBe('a'.repeat(30));
  });

  it('refuses by the declared length without reading, and cancels the body', async () => {
    const { stream, state } = chunks(3, 10);
    expect(await readCappedBytes(stream, '31', 30)).toBeNull();
    expect(state.pulled).toBeLessThanOrEqual(1); // a stream may pre-pull once; nothing is read by us
    expect(state.cancelled).toBe(true);
  });

  it('stops at the limit when no length is declared (or it lies), and cancels the rest', async () => {
    const { stream, state } = chunks(1000, 1024);
    expect(await readCappedBytes(stream, '10', 4096)).toBeNull();
    expect(state.pulled).toBeLessThan(10);
    expect(state.cancelled).toBe(true);
  });

  it('answers an empty body for no body', async () => {
    expect((await readCappedBytes(null, null, 10))?.byteLength).toBe(0);
  });
});

describe('request bodies without a declared length', () => {
  it('a streamed token request over 16 KiB is 413, under it is served', async () => {
    const big = chunks(40, 1024);
    const res = await SELF.fetch('http://localhost/oauth/token', {
      method: 'POST',
      headers: {
        Authorization: basic(ADMIN_ID, ADMIN_SECRET),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: big.stream,
    });
    await expectOAuthError(res, 413, 'invalid_request');

    const small = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('grant_type=client_credentials&scope=read'));
        controller.close();
      },
    });
    const ok = await SELF.fetch('http://localhost/oauth/token', {
      method: 'POST',
      headers: {
        Authorization: basic(ADMIN_ID, ADMIN_SECRET),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: small,
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { access_token?: string }).access_token).toBeTypeOf('string');
  });
});
