/**
 * A small Upstash-compatible REST server over a real Redis, for tests (Node side). It speaks what
 * `@upstash/redis` sends: `POST /` (one command as a JSON array), `POST /pipeline` and `POST /multi-exec`
 * (arrays of commands), Bearer token auth, and base64-encoded string replies when the request has
 * `Upstash-Encoding: base64`. Replies are `{result}` or `{error}`, as Upstash answers them.
 *
 * `@upstash/ratelimit` sends Lua scripts starting with `#!lua flags=allow-key-locking`, a flag only
 * Upstash knows; the server strips that line and maps EVALSHA of the original script's SHA-1 to the
 * rewritten script (NOSCRIPT until the client has sent the script once, as Redis would answer).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@redis/client';

/** What the server needs of a node-redis client. */
interface CommandRunner {
  sendCommand(args: string[]): Promise<unknown>;
}
type Reply = string | number | null | Reply[];

export interface UpstashRestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  /** Runs a command against the Redis behind the server (test set-up and inspection). */
  command(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

const UPSTASH_SHEBANG = /^#!lua[^\n]*\n/;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

class CommandError extends Error {}

function encode(reply: Reply, base64: boolean): Reply {
  if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
  if (typeof reply === 'string' && base64) return Buffer.from(reply, 'utf8').toString('base64');
  return reply;
}

/** Scripts as the client sent them (by the SHA-1 it will use in EVALSHA) -> as Redis runs them. */
class ScriptMap {
  #byOriginalSha = new Map<string, string>();

  rewrite(script: string): string {
    const rewritten = script.replace(UPSTASH_SHEBANG, '');
    this.#byOriginalSha.set(sha1(script), rewritten);
    return rewritten;
  }

  lookup(sha: string): string | undefined {
    return this.#byOriginalSha.get(sha.toLowerCase());
  }
}

function toArgs(command: unknown): string[] {
  if (!Array.isArray(command) || command.length === 0)
    throw new CommandError('ERR command must be a non-empty array');
  return command.map((part) => {
    if (typeof part === 'string') return part;
    if (typeof part === 'number' || typeof part === 'boolean') return String(part);
    if (part === null) return '';
    return JSON.stringify(part);
  });
}

/** The command as Redis should run it: Upstash-only script flags removed, EVALSHA of such scripts mapped. */
function rewriteCommand(args: string[], scripts: ScriptMap): string[] {
  const name = (args[0] ?? '').toUpperCase();
  if ((name === 'EVAL' || name === 'EVAL_RO') && args[1] !== undefined) {
    return [args[0] as string, scripts.rewrite(args[1]), ...args.slice(2)];
  }
  if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && args[1] !== undefined) {
    const script = scripts.lookup(args[1]);
    if (script === undefined) throw new CommandError('NOSCRIPT No matching script. Please use EVAL.');
    return [name === 'EVALSHA' ? 'EVAL' : 'EVAL_RO', script, ...args.slice(2)];
  }
  if (name === 'SCRIPT' && (args[1] ?? '').toUpperCase() === 'LOAD' && args[2] !== undefined) {
    scripts.rewrite(args[2]);
    return ['ECHO', sha1(args[2])];
  }
  return args;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? null : JSON.parse(text);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function run(redis: CommandRunner, args: string[], scripts: ScriptMap): Promise<Reply> {
  return (await redis.sendCommand(rewriteCommand(args, scripts))) as Reply;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Starts the REST server on a free loopback port, in front of the Redis at `redisUrl`. */
export async function startUpstashRestServer(options: {
  redisUrl: string;
  token: string;
}): Promise<UpstashRestServer> {
  const redis = createClient({ url: options.redisUrl, RESP: 2 });
  redis.on('error', () => {});
  await redis.connect();
  const scripts = new ScriptMap();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return send(res, 401, { error: 'Unauthorized' });
    const base64 = (req.headers['upstash-encoding'] ?? '').toString().toLowerCase() === 'base64';
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return send(res, 400, { error: 'ERR failed to parse the request body' });
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '') {
      try {
        return send(res, 200, { result: encode(await run(redis, toArgs(body), scripts), base64) });
      } catch (error) {
        return send(res, 400, { error: errorText(error) });
      }
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body)) return send(res, 400, { error: 'ERR expected an array of commands' });
      const commands = body.map((command) => toArgs(command));
      if (path === '/pipeline') {
        const replies = [];
        for (const args of commands) {
          try {
            replies.push({ result: encode(await run(redis, args, scripts), base64) });
          } catch (error) {
            replies.push({ error: errorText(error) });
          }
        }
        return send(res, 200, replies);
      }
      try {
        const multi = redis.multi();
        for (const args of commands) multi.addCommand(rewriteCommand(args, scripts));
        const replies = (await multi.exec()) as unknown as Reply[];
        return send(
          res,
          200,
          replies.map((reply) => ({ result: encode(reply, base64) })),
        );
      } catch (error) {
        return send(res, 400, { error: errorText(error) });
      }
    }
    return send(res, 404, { error: 'not found' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: errorText(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    command: (args) => redis.sendCommand(args),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.close();
    },
  };
}
