/**
 * A WebSocket look-alike over a Workers TCP socket (`cloudflare:sockets`), handed to the Neon driver as
 * its `webSocketConstructor` when the database is reached through Hyperdrive: Hyperdrive's host speaks the
 * plain Postgres protocol over TCP and is reachable only with `connect()`, not over WebSocket.
 * It implements what the driver uses and nothing more: `binaryType`, the `open` / `message` / `error` /
 * `close` events, `send` and `close`. The URL is `ws://<host>:<port>` (see driver.ts).
 */
import { connect } from 'cloudflare:sockets';

export class TcpWebSocket extends EventTarget {
  binaryType = 'arraybuffer';
  /** WebSocket's CONNECTING (0), OPEN (1), CLOSED (3). */
  readyState = 0;
  private readonly socket: Socket;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private closed = false;

  constructor(url: string) {
    super();
    const { hostname, port } = new URL(url);
    this.socket = connect({ hostname: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    this.writer = this.socket.writable.getWriter();
    this.socket.opened.then(
      () => {
        this.readyState = 1;
        this.dispatchEvent(new Event('open'));
        void this.pump();
      },
      (error: unknown) => this.fail(error),
    );
  }

  send(data: ArrayBuffer | ArrayBufferView): void {
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.writer.write(bytes).catch((error: unknown) => this.fail(error));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.readyState = 3;
    this.socket.close().catch(() => {});
    this.dispatchEvent(new Event('close'));
  }

  private async pump(): Promise<void> {
    const reader = this.socket.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const chunk = value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
        this.dispatchEvent(new MessageEvent('message', { data: chunk }));
      }
      this.close();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.dispatchEvent(new ErrorEvent('error', { error, message: 'database socket failed' }));
    this.close();
  }
}
