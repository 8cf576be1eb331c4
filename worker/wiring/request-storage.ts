/**
 * Storage in the Worker. D1: one Storage per binding. PostgreSQL: one pool per request, keyed by the
 * request's ExecutionContext and ended after the response (worker/index.ts calls releaseStorage).
 */
import type { Context } from 'hono';
import { createStorage, type Storage, type WaitUntil } from '../../src/storage';
import type { AppEnv } from '../context';
import { resilientStorage } from './resilience';

/** The request's ExecutionContext; undefined under `app.request` in tests, which passes none. */
export function executionContextOf(c: Context<AppEnv>): WaitUntil | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/**
 * The Storage for this request (Postgres connections shared by the whole request), behind the storage
 * circuit breaker (worker/wiring/resilience.ts).
 */
export function requestStorage(c: Context<AppEnv>): Storage {
  const config = c.get('config');
  const scope = executionContextOf(c);
  return config ? resilientStorage(c.env, config, scope) : createStorage(c.env, scope);
}
