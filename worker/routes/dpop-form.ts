/**
 * The handler shared by the form endpoints that authenticate a client and may carry a DPoP proof (RFC 9449):
 * the token endpoint and PAR. It reads the form, runs the endpoint with the request's proof, and answers
 * JSON that is never cached, with a fresh `DPoP-Nonce` when nonces are required.
 */
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { freshDpopNonceHeaders } from '../../src/oauth/dpop/nonce';
import type { DpopRequest } from '../../src/oauth/dpop/proof';
import type { FormParams } from '../../src/oauth/form';
import type { OAuthContext } from '../../src/oauth/ports';
import type { AppEnv } from '../context';
import { readForm } from '../middleware/body';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { answer, registerBodySchema } from './schemas';

/** An endpoint's answer to an authenticated form with its DPoP proof. */
type DpopFormEndpoint<T> = (
  ctx: OAuthContext,
  params: FormParams,
  authorization: string | undefined,
  dpop: DpopRequest,
) => Promise<T>;

function dpopFormHandler<T extends object>(status: 200 | 201, run: DpopFormEndpoint<T>) {
  return async (c: Context<AppEnv>) => {
    const params = await readForm(c.req.raw);
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const body = await run(ctx, params, c.req.header('authorization'), {
      header: c.req.header('dpop'),
      method: c.req.method,
      url: c.req.url,
    });
    return c.json(body, status, {
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...(await freshDpopNonceHeaders(ctx.config, c.req.header('dpop'), ctx.clock.nowSecs())),
    });
  };
}

/** Serves `route` with `run` (see `dpopFormHandler`); its form schema becomes the component `form.name`. */
export function serveDpopForm<T extends object>(
  app: OpenAPIHono<AppEnv>,
  route: RouteConfig,
  form: { name: string; schema: ZodType },
  status: 200 | 201,
  run: DpopFormEndpoint<T>,
): void {
  registerBodySchema(app, form.name, form.schema);
  const handler = dpopFormHandler(status, run);
  app.openapi(route, async (c) => answer(await handler(c)));
}
