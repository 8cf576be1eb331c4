#!/usr/bin/env node
/**
 * WebSocket -> TCP proxy for the Neon serverless driver against a plain PostgreSQL (local development and
 * tests only). Neon's protocol: the driver opens `ws://<proxy>/v1?address=<host>:<port>` and exchanges the
 * Postgres wire protocol as binary frames; the proxy pipes them to that TCP address.
 *
 * Safety: listens on a loopback address only, and connects only to the `host:port` pairs it was given
 * (anything else is refused with 403 before the upgrade), so it cannot be used to reach other services.
 *
 *   node scripts/pg-ws-proxy.mjs --allow 127.0.0.1:5432 [--port 0] [--host 127.0.0.1]
 *
 * prints `pg-ws-proxy listening on 127.0.0.1:<port>`; point the Worker at it with
 * OAUTH2_DATABASE_WS_PROXY=127.0.0.1:<port>. Also importable: `startWsProxy({ allow, port, host })`.
 */
import { createServer } from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts the proxy. `allow`: the `host:port` addresses it may connect to. Resolves to
 * `{ host, port, address, close() }` once listening (`port: 0` picks a free port).
 */
export async function startWsProxy({ allow, port = 0, host = '127.0.0.1' }) {
  if (!LOOPBACK.has(host)) throw new Error(`pg-ws-proxy: refusing to listen on non-loopback ${host}`);
  const allowed = new Set(allow.map(normalizeAddress));
  if (allowed.size === 0) throw new Error('pg-ws-proxy: no --allow address given');

  const sockets = new Set();
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end('WebSocket upgrade required\n');
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  server.on('upgrade', (req, socket, head) => {
    const target = targetOf(req.url ?? '');
    if (target === null || !allowed.has(target)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => pipe(ws, target, sockets));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address();
  const actualPort = typeof bound === 'object' && bound ? bound.port : port;
  const display = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port: actualPort,
    address: `${display}:${actualPort}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

/** `host:port` from `/v1?address=host:port` (or `/v2?address=...`); null when absent or malformed. */
function targetOf(url) {
  const parsed = URL.parse(url, 'http://proxy');
  const address = parsed?.searchParams.get('address');
  if (!address) return null;
  try {
    return normalizeAddress(address);
  } catch {
    return null;
  }
}

function normalizeAddress(address) {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(String(address).trim());
  if (!m) throw new Error(`pg-ws-proxy: not a host:port address: ${address}`);
  const port = Number(m[2]);
  if (port < 1 || port > 65_535) throw new Error(`pg-ws-proxy: bad port in ${address}`);
  return `${m[1]?.toLowerCase()}:${port}`;
}

function pipe(ws, target, sockets) {
  const sep = target.lastIndexOf(':');
  const tcp = net.connect({ host: target.slice(0, sep), port: Number(target.slice(sep + 1)) });
  sockets.add(tcp);
  tcp.setNoDelay(true);
  const pending = [];
  tcp.on('connect', () => {
    for (const chunk of pending.splice(0)) tcp.write(chunk);
  });
  ws.on('message', (data) => {
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (tcp.connecting) pending.push(chunk);
    else tcp.write(chunk);
  });
  tcp.on('data', (chunk) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
  });
  const shut = () => {
    sockets.delete(tcp);
    tcp.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
  };
  tcp.on('close', shut);
  tcp.on('error', shut);
  ws.on('close', shut);
  ws.on('error', shut);
}

function parseArgs(argv) {
  const options = { allow: [], port: 0, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = (argv[i] ?? '').split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`pg-ws-proxy: ${flag} needs a value`);
    if (flag === '--allow') options.allow.push(...value.split(','));
    else if (flag === '--port') options.port = Number(value);
    else if (flag === '--host') options.host = value;
    else throw new Error(`pg-ws-proxy: unknown option ${flag}`);
  }
  return options;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const proxy = await startWsProxy(parseArgs(process.argv.slice(2)));
    console.log(`pg-ws-proxy listening on ${proxy.address}`);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.on(signal, () => proxy.close().then(() => process.exit(0)));
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(
      'usage: node scripts/pg-ws-proxy.mjs --allow HOST:PORT[,HOST:PORT] [--port N] [--host 127.0.0.1]',
    );
    process.exit(2);
  }
}
