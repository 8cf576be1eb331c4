/** zod parsers for Worker vars (strings) shared by the parts of the configuration schema. */
import { z } from 'zod';

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** true/false (1/0, yes/no, on/off); `fallback` when unset or empty. */
export const flagDefault = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const word = (value ?? '').trim().toLowerCase();
      if (word === '') return fallback;
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });

/** A whole number in [min, max]; `fallback` when unset or empty. */
export const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = (value ?? '').trim();
      if (text === '') return fallback;
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** One of `values` (case-insensitive); `fallback` when unset or empty. */
export const oneOf = <const T extends string>(values: readonly T[], fallback: T) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const word = (value ?? '').trim().toLowerCase();
      if (word === '') return fallback;
      const match = values.find((candidate) => candidate === word);
      if (match !== undefined) return match;
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
      return z.NEVER;
    });

/** Free text; undefined when unset or blank. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));
