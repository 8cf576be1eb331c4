/**
 * The scopes this server knows (RFC 6749 §3.3): the built-in ones, those of `OAUTH2_SCOPES` and those
 * of the APIs in `OAUTH2_PROTECTED_RESOURCES`. Built once with the configuration (per isolate), so
 * judging a scope reads no storage; every place that judges, describes or advertises a scope asks it.
 */
import { z } from 'zod';
import { isScopeToken } from './scope';

/** One scope: what it is called, what it lets a client do, and the API it opens (if any). */
export interface ScopeDefinition {
  name: string;
  /** Plain words for the consent and device pages; the name when none was given. */
  description: string;
  /** Listed in discovery `scopes_supported` (RFC 8414 §2 lets a server leave some out). */
  advertise: boolean;
  /** Defined by this server; never by configuration. */
  builtIn: boolean;
  /** The resource identifier of the API the scope belongs to: the `aud` of tokens carrying it. */
  resource: string | undefined;
  /** Defined through the admin API (src/oauth/scopes/stored-registry.ts), not by configuration. */
  stored?: boolean | undefined;
}

/** A scope as configuration gives it: a name, or a name with a description. */
export interface ConfiguredScope {
  name: string;
  description?: string | undefined;
  advertise?: boolean | undefined;
}

const BUILT_IN: readonly [string, string][] = [
  ['openid', 'Sign you in with your account'],
  ['profile', 'See your name and username'],
  ['email', 'See your e-mail address'],
  ['offline_access', 'Stay connected when you are not using it'],
  ['read', 'Read your data'],
  ['write', 'Change your data'],
  ['admin', 'Administer this server: clients, users, signing keys'],
];

/** The names of the built-in scopes, which configuration can never define or redefine. */
export const BUILT_IN_SCOPES: ReadonlySet<string> = new Set(BUILT_IN.map(([name]) => name));

const MAX_CONFIGURED_SCOPES = 200;
const MAX_DESCRIPTION_LENGTH = 200;

/** Every scope this server knows, by name. Immutable: a new registry is built for new definitions. */
export class ScopeRegistry {
  readonly #byName: ReadonlyMap<string, ScopeDefinition>;

  constructor(definitions: readonly ScopeDefinition[]) {
    this.#byName = new Map(definitions.map((definition) => [definition.name, definition]));
  }

  get(name: string): ScopeDefinition | undefined {
    return this.#byName.get(name);
  }

  isKnown(name: string): boolean {
    return this.#byName.has(name);
  }

  /** The names among `names` this server does not know, in order. */
  unknown(names: readonly string[]): string[] {
    return names.filter((name) => !this.#byName.has(name));
  }

  /** Every known scope name, built-in ones first. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** Every definition, built-in ones first. */
  all(): ScopeDefinition[] {
    return [...this.#byName.values()];
  }

  /** This registry plus `extra`; a name it knows already keeps its definition. */
  extend(extra: readonly ScopeDefinition[]): ScopeRegistry {
    return new ScopeRegistry([...this.all(), ...extra.filter((scope) => !this.#byName.has(scope.name))]);
  }

  /** The built-in scope names. */
  builtIns(): string[] {
    return [...this.#byName.values()].filter((scope) => scope.builtIn).map((scope) => scope.name);
  }

  /** Discovery `scopes_supported`: the advertised scopes. */
  advertised(): string[] {
    return [...this.#byName.values()].filter((scope) => scope.advertise).map((scope) => scope.name);
  }

  /** The API (resource identifier) a scope opens, or undefined for a scope of no particular API. */
  apiFor(name: string): string | undefined {
    return this.#byName.get(name)?.resource;
  }

  /** The scopes with what each means, for the decision pages; an unknown scope is shown by its name. */
  describe(names: readonly string[]): { name: string; description: string }[] {
    return names.map((name) => ({ name, description: this.#byName.get(name)?.description ?? name }));
  }
}

/** An API's scopes as configuration gives them, for `buildScopeRegistry`. */
export interface ApiScopes {
  resource: string;
  /** Defined by this API (`scopes`): each opens only it. */
  defines: readonly ConfiguredScope[];
  /** Merely listed (`scopes_supported`): a built-in stays unbound, any other name is defined as above. */
  lists: readonly string[];
}

export type RegistryResult = { ok: true; registry: ScopeRegistry } | { ok: false; problem: string };

/** The built-in scopes alone. */
export const BUILT_IN_REGISTRY = new ScopeRegistry(builtInDefinitions());

function builtInDefinitions(): ScopeDefinition[] {
  return BUILT_IN.map(([name, description]) => ({
    name,
    description,
    advertise: true,
    builtIn: true,
    resource: undefined,
  }));
}

/**
 * The registry of the built-in scopes, `configured` (OAUTH2_SCOPES) and the APIs' scopes. A built-in
 * cannot be defined, and a scope belongs to at most one API, since a token has one audience per API.
 * Problems name the setting and the scope, never anything else.
 */
export function buildScopeRegistry(
  configured: readonly ConfiguredScope[],
  apis: readonly ApiScopes[],
): RegistryResult {
  const definitions = new Map(builtInDefinitions().map((scope) => [scope.name, scope]));
  for (const scope of configured) {
    definitions.set(scope.name, {
      name: scope.name,
      description: scope.description ?? scope.name,
      advertise: scope.advertise ?? true,
      builtIn: false,
      resource: undefined,
    });
  }
  for (const api of apis) {
    const listed: ConfiguredScope[] = api.lists
      .filter((name) => !BUILT_IN_SCOPES.has(name))
      .map((name) => ({ name }));
    for (const scope of [...api.defines, ...listed]) {
      if (BUILT_IN_SCOPES.has(scope.name)) {
        return { ok: false, problem: `OAUTH2_PROTECTED_RESOURCES redefines built-in scope ${scope.name}` };
      }
      const known = definitions.get(scope.name);
      if (known?.resource !== undefined && known.resource !== api.resource) {
        return {
          ok: false,
          problem: `OAUTH2_PROTECTED_RESOURCES gives scope ${scope.name} to more than one resource`,
        };
      }
      definitions.set(scope.name, {
        name: scope.name,
        description: scope.description ?? known?.description ?? scope.name,
        advertise: scope.advertise ?? known?.advertise ?? true,
        builtIn: false,
        resource: api.resource,
      });
    }
  }
  return { ok: true, registry: new ScopeRegistry([...definitions.values()]) };
}

/** `{name, description?, advertise?}` or a bare name: one scope in configuration. */
export const ConfiguredScopeSchema = z.union([
  z.string().refine(isScopeToken, 'must be an RFC 6749 scope token'),
  z
    .object({
      name: z.string().refine(isScopeToken, 'must be an RFC 6749 scope token'),
      description: z.string().trim().min(1).max(MAX_DESCRIPTION_LENGTH).optional(),
      advertise: z.boolean().optional(),
    })
    .strict(),
]);

/** A name or an object, as a ConfiguredScope. */
export function toConfiguredScope(entry: z.output<typeof ConfiguredScopeSchema>): ConfiguredScope {
  return typeof entry === 'string' ? { name: entry } : entry;
}

/** Why a list of configured scopes is not acceptable (a duplicate, a built-in), or null. */
export function configuredScopesProblem(scopes: readonly ConfiguredScope[]): string | null {
  const seen = new Set<string>();
  for (const scope of scopes) {
    if (BUILT_IN_SCOPES.has(scope.name)) return `must not define built-in scope ${scope.name}`;
    if (seen.has(scope.name)) return `lists scope ${scope.name} twice`;
    seen.add(scope.name);
  }
  return null;
}

/**
 * `OAUTH2_SCOPES`: space-separated scope names (`api:read api:write`), or a JSON array of names or
 * `{name, description?, advertise?}`; unset = none.
 */
export const scopesSetting = z
  .string()
  .optional()
  .transform((value, ctx): ConfiguredScope[] => {
    const text = (value ?? '').trim();
    if (text === '') return [];
    let entries: unknown;
    if (text.startsWith('[')) {
      try {
        entries = JSON.parse(text);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'must be scope names or a JSON array of {name, description}',
        });
        return z.NEVER;
      }
    } else {
      entries = text.split(/\s+/);
    }
    const parsed = z.array(ConfiguredScopeSchema).max(MAX_CONFIGURED_SCOPES).safeParse(entries);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `[${issue.path.join('].[')}]` : '';
      ctx.addIssue({ code: 'custom', message: `${where} ${issue?.message ?? 'is invalid'}`.trim() });
      return z.NEVER;
    }
    const scopes = parsed.data.map(toConfiguredScope);
    const problem = configuredScopesProblem(scopes);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return scopes;
  });
