/**
 * The scopes and APIs defined through the admin API, merged into the configured registry. Each isolate
 * keeps a copy: the first request awaits one load (two queries); afterwards a request is served from the
 * copy and, once it is older than REGISTRY_CACHE_TTL_SECS, starts a reload in the background without
 * awaiting it, so no token request waits on storage for its scopes. A change made through the admin API
 * reloads the copy of the isolate that made it before answering; other isolates see it within
 * REGISTRY_CACHE_TTL_SECS (plus one request). Configuration wins a name or identifier both define.
 *
 * If storage cannot be read, the last copy stays in force (none: the configured registry alone) and a
 * reload is tried after REGISTRY_RETRY_SECS.
 */
import type { Config } from '../../config';
import type { ResourceRecord, ScopeRecord } from '../../storage/ports';
import type { ProtectedResourceConfig } from '../resources/config';
import type { ScopeDefinition } from './registry';

/** How stale an isolate's copy may be before a request starts a reload, in seconds. */
export const REGISTRY_CACHE_TTL_SECS = 30;
/** Wait after a failed load before trying again, in seconds. */
export const REGISTRY_RETRY_SECS = 5;
/** A reload not settled after this long (its request was cancelled) no longer holds back another. */
const RELOAD_TIMEOUT_SECS = 10;
/** The most scopes and APIs the admin API stores (it refuses more); the copy holds them all. */
export const MAX_STORED_SCOPES = 1_000;
export const MAX_STORED_RESOURCES = 200;

/** What storage holds. */
export interface StoredDefinitions {
  scopes: ScopeRecord[];
  resources: ResourceRecord[];
}

/** Queues work that outlives the request (ExecutionContext.waitUntil), or just lets it run. */
export type Background = (work: Promise<unknown>) => void;

export class StoredRegistryCache {
  #stored: StoredDefinitions | null = null;
  #freshUntil = 0;
  #reloadingSince: number | null = null;
  /** Reloads started, and the latest started one whose outcome is in force. */
  #started = 0;
  #settled = 0;
  #merged: { base: Config; stored: StoredDefinitions; config: Config } | null = null;

  constructor(
    private readonly load: () => Promise<StoredDefinitions>,
    private readonly now: () => number,
  ) {}

  /** `base` with the stored scopes and APIs merged in; awaits storage only before the first load. */
  async configFor(base: Config, background: Background): Promise<Config> {
    const now = this.now();
    if (now >= this.#freshUntil) {
      if (this.#stored === null) await this.reload();
      else if (this.#reloadingSince === null || now - this.#reloadingSince > RELOAD_TIMEOUT_SECS) {
        background(this.reload());
      }
    }
    return this.#mergedWith(base);
  }

  /**
   * Loads the copy now (after a change made in this isolate); never throws. A reload that settles after
   * one started later (e.g. a background reload that read storage before an admin change, and the
   * change's own reload) is dropped, so it cannot put back what storage held before the change.
   */
  async reload(): Promise<void> {
    const now = this.now();
    const generation = ++this.#started;
    this.#reloadingSince = now;
    try {
      const stored = await this.load();
      if (generation < this.#settled) return;
      this.#settled = generation;
      this.#stored = stored;
      this.#freshUntil = now + REGISTRY_CACHE_TTL_SECS;
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure';
      console.error(JSON.stringify({ level: 'error', event: 'scope_registry_load_failed', error: detail }));
      if (generation < this.#settled) return;
      this.#settled = generation;
      this.#freshUntil = now + REGISTRY_RETRY_SECS;
    } finally {
      if (generation === this.#started) this.#reloadingSince = null;
    }
  }

  #mergedWith(base: Config): Config {
    const stored = this.#stored;
    if (stored === null) return base;
    const merged = this.#merged;
    if (merged?.base === base && merged.stored === stored) return merged.config;
    const config = mergeStored(base, stored);
    this.#merged = { base, stored, config };
    return config;
  }
}

/** `base` plus the stored scopes and APIs; a name or identifier configuration defines is skipped. */
export function mergeStored(base: Config, stored: StoredDefinitions): Config {
  const configured = new Set(base.protectedResources.map((entry) => entry.resource));
  const scopes = new Map(
    stored.scopes.filter((scope) => !base.scopes.isKnown(scope.name)).map((scope) => [scope.name, scope]),
  );
  const apis = stored.resources.filter((api) => !configured.has(api.identifier));
  const owner = new Map<string, string>();
  for (const api of apis) {
    for (const name of api.scopes) if (scopes.has(name) && !owner.has(name)) owner.set(name, api.identifier);
  }
  const definitions: ScopeDefinition[] = [...scopes.values()].map((scope) => ({
    name: scope.name,
    description: scope.description,
    advertise: scope.advertise,
    builtIn: false,
    resource: owner.get(scope.name),
    stored: true,
  }));
  return {
    ...base,
    scopes: base.scopes.extend(definitions),
    protectedResources: [...base.protectedResources, ...apis.map((api) => storedApi(api, scopes, owner))],
  };
}

function storedApi(
  api: ResourceRecord,
  scopes: ReadonlyMap<string, ScopeRecord>,
  owner: ReadonlyMap<string, string>,
): ProtectedResourceConfig {
  const own = api.scopes
    .filter((name) => owner.get(name) === api.identifier)
    .map((name) => scopes.get(name))
    .filter((scope) => scope !== undefined);
  return {
    resource: api.identifier,
    scopesSupported: own.filter((scope) => scope.advertise).map((scope) => scope.name),
    name: api.name ?? undefined,
    scopes: own.map(({ name, description, advertise }) => ({ name, description, advertise })),
    accessTokenFormat: api.accessTokenFormat ?? undefined,
    accessTokenTtlSecs: api.accessTokenTtlSecs ?? undefined,
    storedId: api.id,
  };
}
