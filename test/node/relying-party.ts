/**
 * A relying party for the browser suites: a loopback HTTP server whose redirect_uri (`/cb`) records the
 * query it receives and shows "ok" (`#rp`); any other path answers 204 (e.g. the browser's favicon
 * request, whose 404 would log a console error).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestRelyingParty {
  origin: string;
  redirectUri: string;
  /** Every URL the redirect_uri received, oldest first. */
  received: URL[];
  close(): Promise<void>;
}

export async function startRelyingParty(): Promise<TestRelyingParty> {
  const received: URL[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/cb') {
      res.writeHead(204).end();
      return;
    }
    received.push(url);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>RP</title><p id="rp">ok</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    redirectUri: `${origin}/cb`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
