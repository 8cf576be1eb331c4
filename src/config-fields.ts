/**
 * The field builders of the configuration schema: every setting of src/config.ts (and of the `*EnvShape`
 * parts merged into it) is built here, so all settings follow the same rules:
 *   - unset, empty or blank = the default (false / the fallback number / undefined / an empty list);
 *   - a malformed value is a configuration error naming the setting (never its value);
 *   - text is trimmed; a secret is kept byte for byte (a key must not change when a value is re-read), and
 *     only an all-blank secret counts as unset.
 * Each builder also records what the documentation shows about the field (its type and constraints, its
 * default, whether it is a secret) in `fieldRegistry`; docs/configuration.md is generated from it
 * (src/config-docs.ts).
 */
import { z } from 'zod';

/** What docs/configuration.md shows about a field, derived from how the field is built. */
export interface FieldInfo {
  /** The accepted values and their constraints (markdown), e.g. "integer, 60 … 86400". */
  type: string;
  /** The value used when the setting is unset or empty (markdown); undefined = "unset". */
  default?: string | undefined;
  /** A secret: set with `wrangler secret put` (locally in .dev.vars), never in wrangler.toml [vars]. */
  secret?: boolean | undefined;
}

/** The FieldInfo of every schema built here (one schema instance per setting). */
export const fieldRegistry = z.registry<FieldInfo>();

/** Registers `info` for `schema` (a setting with its own parser, e.g. a JSON setting) and returns it. */
export function field<T extends z.ZodType>(schema: T, info: FieldInfo): T {
  fieldRegistry.add(schema, info);
  return schema;
}

/** The documentation info of a setting's schema, or undefined when it was not built by these builders. */
export function fieldInfo(schema: z.ZodType): FieldInfo | undefined {
  return fieldRegistry.get(schema);
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** The raw value, trimmed unless `verbatim`; '' when unset (or blank). */
const raw = (verbatim = false) =>
  z
    .string()
    .optional()
    .transform((value) => {
      const text = value ?? '';
      if (!verbatim) return text.trim();
      return text.trim() === '' ? '' : text;
    });

/** true/false (1/0, yes/no, on/off, any case); `fallback` when unset or empty. */
export const flagDefault = (fallback: boolean) =>
  field(
    raw().transform((text, ctx) => {
      const word = text.toLowerCase();
      if (word === '') return fallback;
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    }),
    { type: 'boolean', default: `\`${fallback}\`` },
  );

export interface WholeNumberOptions {
  /**
   * `clamp`: a whole number outside [min, max] is brought to the nearest bound instead of being an error
   * (OAUTH2_AUTHORIZATION_CODE_TTL_SECS only, whose documented behaviour this is). Not a whole number is an
   * error either way.
   */
  outOfRange?: 'error' | 'clamp';
}

/** A whole number in [min, max]; `fallback` when unset or empty. */
export const wholeNumber = (
  fallback: number,
  min: number,
  max: number,
  { outOfRange = 'error' }: WholeNumberOptions = {},
) =>
  field(
    raw().transform((text, ctx) => {
      if (text === '') return fallback;
      const n = Number(text);
      if (/^\d+$/.test(text) && n >= min && n <= max) return n;
      if (/^\d+$/.test(text) && outOfRange === 'clamp') return Math.min(max, Math.max(min, n));
      ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
      return z.NEVER;
    }),
    {
      type: `integer, ${outOfRange === 'clamp' ? 'clamped to ' : ''}${min} … ${max}`,
      default: `\`${fallback}\``,
    },
  );

/** One of `values` (case-insensitive); `fallback` when unset or empty. */
export const oneOf = <const T extends string>(values: readonly T[], fallback: T) =>
  field(
    raw().transform((text, ctx) => {
      const word = text.toLowerCase();
      if (word === '') return fallback;
      const match = values.find((candidate) => candidate.toLowerCase() === word);
      if (match !== undefined) return match;
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
      return z.NEVER;
    }),
    { type: values.map((value) => `\`${value}\``).join(', '), default: `\`${fallback}\`` },
  );

export interface TextOptions {
  /** What the value must look like (the type column of the documentation); default "text". */
  type?: string;
  /** The problem of a non-empty value ("must be …"), or null when it is acceptable. */
  check?: (value: string) => string | null;
  /** A secret (documentation only; src/config.ts checks secrets' strength). */
  secret?: boolean;
}

/** Text, trimmed (a secret: verbatim); undefined when unset or blank. */
export const text = ({ type = 'text', check, secret }: TextOptions = {}) =>
  field(
    raw(secret === true).transform((value, ctx) => {
      if (value === '') return undefined;
      const problem = check?.(value) ?? null;
      if (problem !== null) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return value;
    }),
    { type, ...(secret ? { secret: true } : {}) },
  );

/** A secret: kept verbatim, undefined when unset or blank; its strength is checked by src/config.ts. */
export const secret = (options: Omit<TextOptions, 'secret'> = {}) =>
  text({ type: 'secret', ...options, secret: true });

export interface HttpUrlOptions {
  /** Refuse a query or fragment (an issuer, a base URL). */
  bare?: boolean;
}

/** An absolute http(s) URL; undefined when unset or blank. */
export const httpUrl = ({ bare = false }: HttpUrlOptions = {}) =>
  text({
    type: bare ? 'http(s) URL without query or fragment' : 'http(s) URL',
    check: (value) => {
      const url = URL.parse(value);
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        return bare ? 'must be an absolute http(s) URL without query or fragment' : 'must be an http(s) URL';
      }
      if (bare && (url.search || url.hash))
        return 'must be an absolute http(s) URL without query or fragment';
      return null;
    },
  });

/**
 * A comma-separated list, items trimmed, empty items dropped; an empty list when unset or blank.
 * `check` returns the problem of the whole list ("names unknown …"), or null.
 */
export const list = <T extends string = string>({
  type = 'comma-separated list',
  check,
}: {
  type?: string;
  check?: (items: string[]) => string | null;
} = {}) =>
  field(
    raw().transform((value, ctx): T[] => {
      const items = value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      const problem = check?.(items) ?? null;
      if (problem !== null) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return items as T[];
    }),
    { type, default: 'empty' },
  );

/**
 * A JSON setting with its own parser (which must map unset and blank to its empty value): registered for
 * the documentation with `type`.
 */
export const json = <T extends z.ZodType>(schema: T, type: string) =>
  field(schema, { type, default: 'empty' });
