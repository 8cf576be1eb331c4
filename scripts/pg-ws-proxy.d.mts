/** Types for scripts/pg-ws-proxy.mjs (imported by the vitest global setup). */
export interface WsProxy {
  host: string;
  port: number;
  /** `host:port`, the value of OAUTH2_DATABASE_WS_PROXY. */
  address: string;
  close(): Promise<void>;
}
export function startWsProxy(options: { allow: string[]; port?: number; host?: string }): Promise<WsProxy>;
