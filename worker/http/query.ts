/** The query string, parsed as strictly as a form (a repeated or malformed parameter is a 400). */
import type { Context } from 'hono';
import { type FormParams, parseForm } from '../../src/oauth/form';
import type { AppEnv } from '../context';

export function strictQuery(c: Context<AppEnv>): FormParams {
  return parseForm(new URL(c.req.url).search.slice(1));
}
