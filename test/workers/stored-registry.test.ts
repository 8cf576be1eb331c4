/**
 * The stored-registry middleware (worker/middleware/stored-registry.ts): the paths that never judge scopes
 * (probes, metrics, OpenAPI document, JWKS) answer without loading the scopes and APIs defined through the
 * admin API, while a route that judges scopes (discovery, the token endpoint) runs only after that load.
 * Each case runs the app on a fresh env object (a fresh "isolate": no registry copy yet) whose D1 binding
 * records every statement, so the registry's two queries (scopes, resources) can be counted. Last, the
 * per-isolate copy itself (src/oauth/scopes/stored-registry.ts): a reload that started before an admin change
 * must not overwrite the copy the change's own reload made.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import {
  REGISTRY_CACHE_TTL_SECS,
  type StoredDefinitions,
  StoredRegistryCache,
} from '../../src/oauth/scopes/stored-registry';
import { createApp } from '../../worker/app';
import { REGISTRY_FREE_PATHS } from '../../worker/middleware/stored-registry';
import { AdminApi, createServiceClient, json, unique } from './admin-helpers';
import { basic, ORIGIN } from './helpers';

/** The statements the stored registry's load runs: `select … from "scopes"` and `… from "resources"`. */
const REGISTRY_QUERY = /\bfrom\s+"?(scopes|resources)"?(\s|$)/i;

/** A fresh isolate (new env object) whose D1 binding records the SQL of every prepared statement. */
function recordingIsolate() {
  const statements: string[] = [];
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          statements.push(sql);
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const app = createApp();
  const isolateEnv = { ...env, DB: db };
  return {
    fetch: (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init, isolateEnv),
    registryQueries: () => statements.filter((sql) => REGISTRY_QUERY.test(sql)),
  };
}

describe('stored-registry middleware: only routes that judge scopes load the registry', () => {
  it('/health, /ready, /metrics, the OpenAPI document and the JWKS answer without loading it', async () => {
    const isolate = recordingIsolate();
    for (const path of [
      '/health',
      '/ready',
      '/metrics',
      '/api-docs/openapi.json',
      '/.well-known/jwks.json',
    ]) {
      expect(REGISTRY_FREE_PATHS.has(path), path).toBe(true);
      const res = await isolate.fetch(path);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    }
    expect(isolate.registryQueries()).toEqual([]);
  });

  it('discovery in a fresh isolate waits for the load and lists a stored scope', async () => {
    const admin = await AdminApi.create();
    const name = `${unique('reg')}:read`;
    await admin.post('/admin/api/scopes', { name, description: 'Read the registry test data' });

    const isolate = recordingIsolate();
    expect((await isolate.fetch('/health')).status).toBe(200);
    expect(isolate.registryQueries()).toEqual([]);

    const discovery = await json<{ scopes_supported: string[] }>(
      await isolate.fetch('/.well-known/openid-configuration'),
      200,
    );
    expect(discovery.scopes_supported).toContain(name);
    // The first load: one query per table, awaited before discovery answered.
    expect(isolate.registryQueries()).toHaveLength(2);
  });

  it('the token endpoint in a fresh isolate judges a stored scope on the loaded registry', async () => {
    const admin = await AdminApi.create();
    const name = `${unique('reg')}:write`;
    await admin.post('/admin/api/scopes', { name, description: 'Write the registry test data' });
    const client = await createServiceClient(admin, { scope: name });

    const isolate = recordingIsolate();
    await isolate.fetch('/health');
    await isolate.fetch('/metrics');
    expect(isolate.registryQueries()).toEqual([]);

    const res = await isolate.fetch('/oauth/token', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: basic(client.client_id, client.client_secret ?? ''),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: name }).toString(),
    });
    const tokens = await json<{ scope: string }>(res, 200);
    expect(tokens.scope).toBe(name);
    expect(isolate.registryQueries()).toHaveLength(2);
  });
});

describe('StoredRegistryCache: the isolate that made a change keeps seeing it', () => {
  it('a reload started before the change cannot overwrite the copy loaded after it', async () => {
    const parsed = parseConfig(env);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const base = parsed.config;
    const name = `${unique('race')}:read`;
    const scope = { name, description: 'Race', advertise: true, createdAt: 1, updatedAt: 1 };
    const empty: StoredDefinitions = { scopes: [], resources: [] };
    let now = 1_000;
    const loads: ((stored: StoredDefinitions) => void)[] = [];
    const cache = new StoredRegistryCache(
      () => new Promise<StoredDefinitions>((resolve) => loads.push(resolve)),
      () => now,
    );
    const none = () => undefined;

    const first = cache.configFor(base, none);
    loads[0]?.(empty);
    await first;
    // The copy is stale: a request starts a background reload (it reads storage before the change).
    now += REGISTRY_CACHE_TTL_SECS;
    let stale: Promise<unknown> = Promise.resolve();
    await cache.configFor(base, (work) => {
      stale = work;
    });
    expect(loads).toHaveLength(2);
    // The admin API writes the scope, then reloads before answering; that reload settles first.
    const afterChange = cache.reload();
    loads[2]?.({ scopes: [scope], resources: [] });
    await afterChange;
    expect((await cache.configFor(base, none)).scopes.isKnown(name)).toBe(true);
    // The older reload settles last, with what storage held before the change: it is dropped.
    loads[1]?.(empty);
    await stale;
    expect((await cache.configFor(base, none)).scopes.isKnown(name)).toBe(true);
  });
});
