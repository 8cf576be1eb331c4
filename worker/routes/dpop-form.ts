/**
 * The handler shared by the form endpoints that authenticate a client and may carry a DPoP proof (RFC 9449):
 * the token endpoint and PAR. It reads the form, runs the endpoint with the request's proof, and answers
 * JSON that is never cached, with a fresh `DPoP-Nonce` when nonces are required.
 */
import type { Context } from 'hono';
import { freshDpopNonceHeaders } from '../../src/oauth/dpop/nonce';
import type { DpopRequest } from '../../src/oauth/dpop/proof';
import type { FormParams } from '../../src/oauth/form';
import type { OAuthContext } from '../../src/oauth/ports';
import type { AppEnv } from '../context';
import { readForm } from '../middleware/body';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';

export function dpopFormHandler<T extends object>(
  status: 200 | 201,
  run: (
    ctx: OAuthContext,
    params: FormParams,
    authorization: string | undefined,
    dpop: DpopRequest,
  ) => Promise<T>,
) {
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
