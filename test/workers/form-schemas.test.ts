/**
 * The OAuth form endpoints (/oauth/token, /oauth/par, /oauth/introspect, /oauth/revoke,
 * /oauth/device_authorization) are declared with `app.openapi`, but their bodies are parsed by hand
 * (src/oauth/form.ts: strict decoding, a repeated parameter other than `resource` is invalid_request)
 * instead of by the router's zod validator. The document shows the zod schemas registered as
 * components (worker/routes/schemas.ts `handParsedBody`); this test holds the hand parsers to them:
 *
 * - representative bodies get the same verdict from the endpoint (2xx, or a 400 about the request's
 *   shape) as from `schema.safeParse` of the body as the router's form validator would decode it
 *   (a repeated key becomes an array);
 * - every parameter the endpoint reads is in the schema, and every schema parameter is read.
 *
 * (A repeated *unknown* parameter is refused by the hand parser and ignored by a zod object: RFC 6749
 * §3.2 forbids repeats outright, which no schema of the document can say; it is not tested here.)
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loadConfig } from '../../src/config';
import { readClientCredentials } from '../../src/oauth/client-auth/authenticate';
import { deviceAuthorizationRequest } from '../../src/oauth/device';
import { type FormParams, parseForm } from '../../src/oauth/form';
import { pushAuthorizationRequest } from '../../src/oauth/par';
import type { OAuthContext } from '../../src/oauth/ports';
import { introspect } from '../../src/oauth/tokens/introspection';
import { revoke } from '../../src/oauth/tokens/revocation';
import { tokenRequest } from '../../src/oauth/tokens/token-endpoint';
import { DeviceAuthorizationRequestSchema } from '../../worker/routes/device';
import { PushedAuthorizationRequestSchema } from '../../worker/routes/par';
import { TokenRequestSchema } from '../../worker/routes/token';
import { TokenFormSchema } from '../../worker/routes/token-management';
import { oauthContext } from '../../worker/wiring/services';
import { adminToken, basic, ORIGIN, post, postJson } from './helpers';

const REDIRECT = 'https://form-schemas.example.com/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
/** Errors about the shape of a request (RFC 6749 §5.2, RFC 9126, RFC 7009 §2.2.1). */
const SHAPE_ERRORS = [
  'invalid_request',
  'unsupported_grant_type',
  'unsupported_response_type',
  'unsupported_token_type',
];

interface Client {
  client_id: string;
  client_secret: string;
}
/** Authenticates with client_secret_basic (the endpoint verdicts) ... */
let client: Client;
/** ... and with client_secret_post (the parameters read, from the form only). */
let postClient: Client;

async function register(metadata: Record<string, unknown>): Promise<Client> {
  const res = await postJson(
    '/connect/register',
    {
      redirect_uris: [REDIRECT],
      grant_types: [
        'authorization_code',
        'client_credentials',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
      ],
      scope: 'read',
      ...metadata,
    },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

beforeAll(async () => {
  client = await register({});
  postClient = await register({ token_endpoint_auth_method: 'client_secret_post' });
});

/** The body as zod-openapi's form validator hands it to the schema: a repeated key is an array. */
function decoded(body: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) {
    const previous = form[key];
    form[key] = previous === undefined ? value : [previous, value].flat();
  }
  return form;
}

type Verdict = 'valid' | 'invalid';

async function endpointVerdict(path: string, body: string): Promise<Verdict> {
  const res = await post(path, body, { Authorization: basic(client.client_id, client.client_secret) });
  const text = await res.text();
  if (res.ok) return 'valid';
  const error = (JSON.parse(text) as { error?: string }).error ?? '';
  // Anything else (invalid_client, invalid_grant, ...) is not about the shape: not a representative input.
  expect(res.status === 400 && SHAPE_ERRORS.includes(error), `${path} ${body}: ${res.status} ${text}`).toBe(
    true,
  );
  return 'invalid';
}

function schemaVerdict(schema: z.ZodType, body: string): Verdict {
  return schema.safeParse(decoded(body)).success ? 'valid' : 'invalid';
}

const PAR_VALID = `response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&code_challenge=${CHALLENGE}&code_challenge_method=S256&scope=read&state=s`;

const VERDICTS: { path: string; schema: z.ZodType; valid: string[]; invalid: string[] }[] = [
  {
    path: '/oauth/token',
    schema: TokenRequestSchema,
    valid: [
      'grant_type=client_credentials',
      'grant_type=client_credentials&scope=read',
      'grant_type=client_credentials&unknown_parameter=ignored',
      'grant_type=client_credentials&scope=',
    ],
    invalid: [
      '',
      'scope=read',
      'grant_type=password',
      'grant_type=client_credentials&grant_type=client_credentials',
      'grant_type=client_credentials&scope=read&scope=read',
    ],
  },
  {
    path: '/oauth/par',
    schema: PushedAuthorizationRequestSchema,
    valid: [PAR_VALID, `${PAR_VALID}&nonce=n&response_mode=query&unknown_parameter=ignored`],
    invalid: [
      '',
      PAR_VALID.replace('response_type=code', 'response_type=token'),
      PAR_VALID.replace(`code_challenge=${CHALLENGE}&`, ''),
      PAR_VALID.replace('code_challenge_method=S256', 'code_challenge_method=plain'),
      `${PAR_VALID}&response_mode=fragment`,
      `${PAR_VALID}&scope=read`,
      `${PAR_VALID}&state=t`,
    ],
  },
  ...['/oauth/introspect', '/oauth/revoke'].map((path) => ({
    path,
    schema: TokenFormSchema,
    valid: [
      'token=unknown',
      'token=unknown&token_type_hint=access_token',
      'token=unknown&token_type_hint=id_token',
      'token=unknown&other=ignored',
    ],
    invalid: ['', 'token_type_hint=access_token', 'token=a&token=b'],
  })),
  {
    path: '/oauth/device_authorization',
    schema: DeviceAuthorizationRequestSchema,
    valid: ['', 'scope=read', 'unknown_parameter=ignored'],
    invalid: ['scope=read&scope=read'],
  },
];

describe('hand-parsed form bodies and their documented schemas', () => {
  for (const { path, schema, valid, invalid } of VERDICTS) {
    it(`${path}: the endpoint and the schema agree on valid and invalid bodies`, async () => {
      for (const body of valid) {
        expect(schemaVerdict(schema, body), `schema: ${body}`).toBe('valid');
        expect(await endpointVerdict(path, body), `endpoint: ${body}`).toBe('valid');
      }
      for (const body of invalid) {
        expect(schemaVerdict(schema, body), `schema: ${body}`).toBe('invalid');
        expect(await endpointVerdict(path, body), `endpoint: ${body}`).toBe('invalid');
      }
    });
  }

  it('resource may repeat (RFC 8707) in the hand parser and in the token and PAR schemas', () => {
    const body = 'grant_type=client_credentials&resource=https://a.example&resource=https://b.example';
    expect(() => parseForm(body)).not.toThrow();
    expect(schemaVerdict(TokenRequestSchema, body)).toBe('valid');
    expect(schemaVerdict(PushedAuthorizationRequestSchema, `${PAR_VALID}&resource=x&resource=y`)).toBe(
      'valid',
    );
  });
});

/** FormParams that remember which parameters were looked at. */
class RecordingParams extends Map<string, string> {
  constructor(
    body: string,
    readonly reads: Set<string>,
  ) {
    super(parseForm(body));
  }
  override get(key: string): string | undefined {
    this.reads.add(key);
    return super.get(key);
  }
  override has(key: string): boolean {
    this.reads.add(key);
    return super.has(key);
  }
}

function context(path: string): OAuthContext {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return oauthContext(env, loaded.config, `${ORIGIN}${path}`);
}

/** Runs `run` on every body; the parameters read, whatever the outcome of each. */
async function readsOf(
  bodies: string[],
  run: (params: FormParams) => Promise<unknown>,
): Promise<Set<string>> {
  const reads = new Set<string>();
  for (const body of bodies) {
    await run(new RecordingParams(body, reads)).catch(() => undefined);
  }
  return reads;
}

/** Parameters a parser looks for only to refuse them: not part of any valid request. */
const REFUSED = new Set(['request_uri']);

const keys = (schema: z.ZodType) => Object.keys((schema as unknown as z.ZodObject).shape).sort();

describe('the parameters a hand parser reads are the parameters its schema names', () => {
  const auth = () => `client_id=${postClient.client_id}&client_secret=${postClient.client_secret}`;
  const assertion = () =>
    `client_id=${postClient.client_id}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=a.b.c`;
  const TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

  it('/oauth/token', async () => {
    const ctx = context('/oauth/token');
    const issued = await post('/oauth/token', `grant_type=client_credentials&scope=read&${auth()}`);
    expect(issued.status).toBe(200);
    const subject = ((await issued.json()) as { access_token: string }).access_token;
    const exchange = `grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=${subject}&subject_token_type=${TOKEN_TYPE}`;
    const reads = await readsOf(
      [
        `grant_type=client_credentials&scope=read&${auth()}`,
        `grant_type=client_credentials&${assertion()}`,
        `grant_type=authorization_code&code=unknown&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=${'v'.repeat(43)}&resource=https://a.example&${auth()}`,
        `grant_type=refresh_token&refresh_token=unknown&scope=read&resource=https://a.example&${auth()}`,
        `grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=unknown&${auth()}`,
        `${exchange}&requested_token_type=${TOKEN_TYPE}&actor_token=${subject}&actor_token_type=${TOKEN_TYPE}&scope=read&${auth()}`,
        `${exchange}&audience=x&${auth()}`,
        `${exchange}&resource=https://a.example&${auth()}`,
        `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=a.b.c&scope=read&${auth()}`,
      ],
      (params) => tokenRequest(ctx, params, undefined),
    );
    // Read only once the authorization code is found (compared with the code's redirect_uri): reaching
    // it takes a whole browser sign-in and consent, which authorization-code.test.ts covers.
    reads.add('redirect_uri');
    expect([...reads].sort()).toEqual(keys(TokenRequestSchema));
  });

  it('/oauth/par', async () => {
    const ctx = context('/oauth/par');
    // PAR validates a copy of the parameters (without the client authentication ones): reads of any Map
    // holding this client's client_id count too, while the endpoint runs.
    const copyReads = new Set<string>();
    const { get, has } = Map.prototype;
    const isCopy = (map: Map<unknown, unknown>) => get.call(map, 'client_id') === postClient.client_id;
    Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
      if (typeof key === 'string' && isCopy(this)) copyReads.add(key);
      return get.call(this, key);
    };
    Map.prototype.has = function (this: Map<unknown, unknown>, key: unknown) {
      if (typeof key === 'string' && isCopy(this)) copyReads.add(key);
      return has.call(this, key);
    };
    const reads = await readsOf(
      [
        `${PAR_VALID}&nonce=n&prompt=login&max_age=60&login_hint=x&resource=https://a.example&dpop_jkt=${'a'.repeat(43)}&${auth()}`,
        `${PAR_VALID}&${assertion()}`,
      ],
      (params) => pushAuthorizationRequest(ctx, params, undefined),
    ).finally(() => {
      Map.prototype.get = get;
      Map.prototype.has = has;
    });
    for (const key of copyReads) reads.add(key);
    // resource is stored with the request and read when its request_uri is used at /oauth/authorize.
    reads.add('resource');
    // request_uri is looked for only to be refused (RFC 9126 §2.1); `request` is a request object (RFC 9101).
    expect([...reads].filter((key) => !REFUSED.has(key)).sort()).toEqual(
      keys(PushedAuthorizationRequestSchema),
    );
  });

  it('/oauth/introspect and /oauth/revoke', async () => {
    const ctx = context('/oauth/introspect');
    const bodies = [`token=unknown&token_type_hint=access_token&${auth()}`, `token=unknown&${assertion()}`];
    const run = (serve: (params: FormParams) => Promise<unknown>) => async (params: FormParams) => {
      readClientCredentials(undefined, params);
      return serve(params);
    };
    const caller = await ctx.storage.clients.get(postClient.client_id);
    if (!caller) throw new Error('no client');
    const introspectReads = await readsOf(
      bodies,
      run((params) => introspect(ctx, params, caller)),
    );
    const revokeReads = await readsOf(
      bodies,
      run((params) => revoke(ctx, params, caller)),
    );
    // token_type_hint is documented (RFC 7662 §2.1, RFC 7009 §2.1) but not needed: never read.
    const documented = keys(TokenFormSchema).filter((key) => key !== 'token_type_hint');
    expect([...introspectReads].sort()).toEqual(documented);
    expect([...revokeReads].sort()).toEqual(documented);
  });

  it('/oauth/device_authorization', async () => {
    const ctx = context('/oauth/device_authorization');
    const reads = await readsOf([`scope=read&${auth()}`, `scope=read&${assertion()}`], (params) =>
      deviceAuthorizationRequest(ctx, params, undefined),
    );
    expect([...reads].sort()).toEqual(keys(DeviceAuthorizationRequestSchema));
  });
});
