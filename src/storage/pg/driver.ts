/**
 * The Neon serverless driver (`@neondatabase/serverless`, node-postgres over WebSocket), configured per
 * client rather than through the global `neonConfig`, so that one isolate can hold pools for different
 * databases (tests do) without one setting leaking into another.
 */
import { Client, type ClientConfig, Pool } from '@neondatabase/serverless';
import { TcpWebSocket } from './tcp-web-socket';

/** How the driver reaches PostgreSQL. */
export type PgTransport =
  /** Neon's WebSocket endpoint (`wss://<host>/v2`): a Neon database, no setting needed. */
  | { kind: 'neon' }
  /**
   * A local WebSocket -> TCP proxy (`scripts/pg-ws-proxy.mjs`, address `host:port`), for a plain
   * PostgreSQL in development and tests: plain `ws://`, no TLS, no pipelined connect.
   */
  | { kind: 'ws-proxy'; address: string }
  /** A Workers TCP socket (`cloudflare:sockets`): Hyperdrive, whose host is reachable only that way. */
  | { kind: 'tcp' };

export interface PgConnectionOptions {
  connectionString: string;
  transport: PgTransport;
}

/** At most this many connections per pool: a Worker invocation may hold six open sockets. */
const MAX_CONNECTIONS = 4;
/** Give up connecting after this long (the caller answers 503). */
const CONNECT_TIMEOUT_MS = 5_000;
/** Give up waiting for a query's answer after this long. */
const QUERY_TIMEOUT_MS = 10_000;

/** A node-postgres Client class whose every instance uses `transport`. */
function clientClassFor(transport: PgTransport): typeof Client {
  return class ConfiguredClient extends Client {
    constructor(config?: string | ClientConfig) {
      super(config);
      const socket = this.neonConfig;
      if (transport.kind === 'neon') return;
      socket.useSecureWebSocket = false;
      socket.pipelineConnect = false;
      socket.pipelineTLS = false;
      if (transport.kind === 'ws-proxy') {
        const proxy = transport.address;
        socket.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
      } else {
        socket.wsProxy = (host, port) => `${host}:${port}`;
        socket.webSocketConstructor = TcpWebSocket;
      }
    }
  };
}

/** A new Pool (no connection is opened until the first query). */
export function openPool(options: PgConnectionOptions): Pool {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: MAX_CONNECTIONS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // Neon's Pool sets its own Client class after construction, ignoring the `Client` option.
  pool.Client = clientClassFor(options.transport);
  // An idle client whose connection drops emits `error` on the pool; unhandled, it would throw.
  // The next query on a dead connection fails on its own and is mapped to StorageUnavailableError.
  pool.on('error', () => {});
  return pool;
}
