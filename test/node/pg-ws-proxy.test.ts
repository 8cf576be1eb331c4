/** scripts/pg-ws-proxy.mjs: loopback only, allow-listed targets only, bytes piped both ways unchanged. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWsProxy, type WsProxy } from '../../scripts/pg-ws-proxy.mjs';

/** A TCP server that answers every chunk with `echo:` + the chunk. */
async function echoServer(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.on('data', (chunk) => socket.write(`echo:${chunk}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function portOf(server: net.Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Opens a WebSocket to the proxy for `target`: 'open' or the HTTP status it was refused with. */
function connect(proxy: WsProxy, target: string): Promise<{ ws: WebSocket; outcome: string }> {
  const ws = new WebSocket(`ws://${proxy.address}/v1?address=${target}`);
  return new Promise((resolve) => {
    ws.on('open', () => resolve({ ws, outcome: 'open' }));
    ws.on('unexpected-response', (_req, res) => resolve({ ws, outcome: `HTTP ${res.statusCode}` }));
    ws.on('error', (error) => resolve({ ws, outcome: `error ${error.message}` }));
  });
}

describe('pg-ws-proxy (WebSocket -> TCP for the Neon driver)', () => {
  let echo: net.Server;
  let proxy: WsProxy;
  beforeAll(async () => {
    echo = await echoServer();
    proxy = await startWsProxy({ allow: [`127.0.0.1:${portOf(echo)}`] });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('listens on loopback only', async () => {
    expect(proxy.host).toBe('127.0.0.1');
    await expect(startWsProxy({ allow: ['127.0.0.1:1'], host: '0.0.0.0' })).rejects.toThrow(/non-loopback/);
  });

  it('refuses, before the upgrade, any target that is not allow-listed', async () => {
    for (const target of ['10.0.0.1:5432', `127.0.0.1:${portOf(echo) + 1}`, 'localhost:22', 'garbage']) {
      const { ws, outcome } = await connect(proxy, target);
      expect(outcome, target).toBe('HTTP 403');
      ws.terminate();
    }
  });

  it('pipes binary frames to the allowed address and its answers back', async () => {
    const { ws, outcome } = await connect(proxy, `127.0.0.1:${portOf(echo)}`);
    expect(outcome).toBe('open');
    const answer = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send(Buffer.from('ping'));
    expect(await answer).toBe('echo:ping');
    ws.close();
  });
});
