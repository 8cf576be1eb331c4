/**
 * Helpers for the event bus, metrics and logging tests: a Worker env whose `EVENTS` queue is captured,
 * requests through the app with a real ExecutionContext, queue batches through the real consumer, and
 * the small OAuth flows that produce events.
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { expect, vi } from 'vitest';
import { unpackMessage } from '../../src/events/pack';
import type { EventEnvelope } from '../../src/events/types';
import { createStorage } from '../../src/storage';
import type { EventRecord } from '../../src/storage/ports';
import { createApp } from '../../worker/app';
import worker from '../../worker/index';
import { ADMIN_ID, ADMIN_SECRET, basic, ORIGIN } from './helpers';

/**
 * A Queue producer binding that keeps what it is given: `messages` as sent (packs are JSON text, see
 * src/events/pack.ts), `bodies` the envelopes in them, `delays` the delay each message asked for.
 */
export class CapturingQueue {
  readonly messages: unknown[] = [];
  readonly bodies: EventEnvelope[] = [];
  readonly delays: (number | undefined)[] = [];
  failing = false;

  #keep(body: unknown, delaySeconds: number | undefined): void {
    this.messages.push(body);
    this.delays.push(delaySeconds);
    for (const item of unpackMessage(body).items) this.bodies.push(item as EventEnvelope);
  }

  async send(body: unknown, options?: { delaySeconds?: number }): Promise<void> {
    if (this.failing) throw new Error('queue unavailable');
    this.#keep(body, options?.delaySeconds);
  }

  async sendBatch(messages: Iterable<{ body: unknown; delaySeconds?: number }>): Promise<void> {
    if (this.failing) throw new Error('queue unavailable');
    for (const message of messages) this.#keep(message.body, message.delaySeconds);
  }

  of(type: string): EventEnvelope[] {
    return this.bodies.filter((body) => body.type === type);
  }
}

/** The test env with extra vars and (optionally) a capturing queue; a new object re-parses the config. */
export function envWith(vars: Record<string, string> = {}, queue?: CapturingQueue): Env {
  // Metrics flushed after every request: waitOnExecutionContext would otherwise wait for the timer.
  const base = { ...env, OAUTH2_METRICS_FLUSH_INTERVAL_SECS: '0' };
  return { ...base, ...vars, ...(queue ? { EVENTS: queue as unknown as Queue } : {}) };
}

/** A Worker (app) over one env, with a real ExecutionContext per request whose waitUntil work is awaited. */
export function workerFor(e: Env) {
  const app = createApp();
  return async (path: string, init: RequestInit = {}): Promise<Response> => {
    const ctx = createExecutionContext();
    const res = await app.request(`${ORIGIN}${path}`, init, e, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

export type Call = ReturnType<typeof workerFor>;

export function form(body: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  };
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** A client_credentials token of the bootstrap admin client through `call`. */
export async function clientCredentials(call: Call, scope = 'read'): Promise<Record<string, string>> {
  const res = await call(
    '/oauth/token',
    form({ grant_type: 'client_credentials', scope }, { Authorization: basic(ADMIN_ID, ADMIN_SECRET) }),
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, string>;
}

let messageCounter = 0;

export type QueueResult = Awaited<ReturnType<typeof getQueueResult>> & {
  /** The delay each retried message asked for. */
  delays: Record<string, number | undefined>;
};

/** Delivers `bodies` to the Worker's queue handler as one batch (of `oauth2-events` by default). */
export async function deliver(
  e: Env,
  bodies: unknown[],
  options: { attempts?: number; ids?: string[]; queue?: string } = {},
): Promise<QueueResult> {
  const messages = bodies.map((body, i) => {
    messageCounter += 1;
    return {
      id: options.ids?.[i] ?? `msg-${messageCounter}`,
      timestamp: new Date(),
      attempts: options.attempts ?? 1,
      body,
    };
  });
  const batch = createMessageBatch(options.queue ?? 'oauth2-events', messages);
  const delays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, 'retry').mockImplementation((retryOptions) => {
      delays[message.id] = retryOptions?.delaySeconds;
      retry(retryOptions);
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

/** Every recorded event naming `clientId`, newest first. */
export async function eventsOfClient(clientId: string): Promise<EventRecord[]> {
  return (await createStorage(env).events.list({ limit: 200, clientId })).items;
}

/** Polls until `check` returns a value (the real queue delivers in the background). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Reads one series value from a Prometheus text body (0 when absent). */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
