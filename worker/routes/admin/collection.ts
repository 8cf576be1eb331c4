/**
 * The shape most admin API resources share: a collection (list, create) and its items (read, update,
 * delete), each route declared once with its own schemas and OpenAPI metadata, answered with no-store
 * JSON (or 204), and 405 with Allow for the other methods on each path.
 */
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AdminContext } from '../../../src/admin/context';
import type { Query } from '../../../src/admin/paging';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { answer } from '../schemas';
import {
  adminQuery,
  adminRoute,
  allowOnly,
  itemErrors,
  jsonBody,
  jsonResponse,
  noStore,
  operationCheckedBody,
  pathParam,
  readErrors,
  writeErrors,
} from './common';

/**
 * A request body: a zod schema the router validates (the operation gets its output), or the id of a
 * component schema the operation checks itself (it gets the JSON as sent; see `operationCheckedBody`).
 */
type Body = z.ZodType | string;
type BodyValue<B> = B extends z.ZodType ? z.output<B> : unknown;
/** A JSON answer: its description and schema. */
type Reply = readonly [description: string, schema: z.ZodType];
/** A query schema as the router takes it (see `querySchema`). */
type QuerySchema = NonNullable<RouteConfig['request']>['query'];

interface Described {
  summary: string;
  description?: string;
}

/** What an operation is given from the request. */
interface Input<B> {
  /** The item's path parameter (empty on the collection). */
  id: string;
  query: Query;
  body: BodyValue<B>;
}

export interface AdminOperation<B extends Body = Body> extends Described {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  /** The path parameter of the item, with its description. */
  param?: readonly [name: string, description: string];
  query?: QuerySchema;
  body?: B;
  /** A JSON answer (200, or 201 when `created`), or the description of a 204. */
  reply: Reply | string;
  created?: boolean;
  run: (ctx: AdminContext, input: Input<B>) => Promise<unknown>;
}

const METHODS = ['get', 'post', 'put', 'delete'] as const;

function requestBody(body: Body) {
  return typeof body === 'string' ? operationCheckedBody(body) : jsonBody(body);
}

/** The body as the operation takes it: the router's validated output, or the JSON as sent. */
async function bodyValue(c: Context<AppEnv>, body: Body | undefined): Promise<unknown> {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return c.req.json();
  return (c.req as unknown as { valid(target: 'json'): unknown }).valid('json');
}

function declare(op: AdminOperation) {
  const access = op.method === 'get' ? 'read' : 'write';
  const request = {
    ...(op.param ? { params: pathParam(op.param[0], op.param[1]) } : {}),
    ...(op.query ? { query: op.query } : {}),
    ...(op.body !== undefined ? { body: requestBody(op.body) } : {}),
  };
  const status = typeof op.reply === 'string' ? 204 : op.created ? 201 : 200;
  const success =
    typeof op.reply === 'string' ? { description: op.reply } : jsonResponse(op.reply[0], op.reply[1]);
  const errors = access === 'write' ? writeErrors : op.param ? itemErrors : readErrors;
  return adminRoute(access, {
    method: op.method,
    path: op.path,
    summary: op.summary,
    ...(op.description !== undefined ? { description: op.description } : {}),
    ...(Object.keys(request).length > 0 ? { request } : {}),
    responses: { [status]: success, ...errors },
  });
}

/** Registers one operation (its route declared once, with its own schemas and metadata). */
function register(app: OpenAPIHono<AppEnv>, op: AdminOperation): string {
  const route = declare(op);
  app.openapi(route, async (c) => {
    const input = {
      id: op.param ? c.req.param(op.param[0]) : '',
      query: op.query ? adminQuery(c) : {},
      body: await bodyValue(c, op.body),
    };
    const result = await op.run(adminContext(c), input as Input<Body>);
    if (typeof op.reply === 'string') return answer(c.body(null, 204, noStore));
    return answer(c.json(result, op.created ? 201 : 200, noStore));
  });
  return route.getRoutingPath();
}

/** Operations on one path; any other method answers 405 with Allow. */
export function registerPath(app: OpenAPIHono<AppEnv>, ...ops: AdminOperation[]): void {
  let path = '';
  for (const op of ops) path = register(app, op);
  const methods = METHODS.filter((method) => ops.some((op) => op.method === method));
  allowOnly(
    app,
    path,
    methods.map((method) => method.toUpperCase()),
  );
}

/** An operation of a collection: the rest of its declaration is the collection's. */
type Part<B extends Body = Body> = Omit<AdminOperation<B>, 'method' | 'path' | 'param' | 'query'>;

export interface Collection<C extends Body, U extends Body> {
  path: string;
  /** The items' path parameter and its description. */
  param: readonly [name: string, description: string];
  list: Part & { query: QuerySchema; run: (ctx: AdminContext, input: { query: Query }) => Promise<unknown> };
  create?: Part<C>;
  /** Routes registered after the collection's and before the item's (a fixed segment before `{param}`). */
  between?: () => void;
  get: Part;
  update?: Part<U>;
  remove: Part;
}

/** list and create on `path`, get, update and delete on `path/{param}`. */
export function registerCollection<C extends Body, U extends Body>(
  app: OpenAPIHono<AppEnv>,
  spec: Collection<C, U>,
): void {
  const { path, param } = spec;
  const collection: AdminOperation[] = [{ ...spec.list, method: 'get', path }];
  if (spec.create) collection.push({ ...(spec.create as Part), method: 'post', path, created: true });
  registerPath(app, ...collection);
  spec.between?.();
  const item = `${path}/{${param[0]}}`;
  const items: AdminOperation[] = [{ ...spec.get, method: 'get', path: item, param }];
  if (spec.update) items.push({ ...(spec.update as Part), method: 'put', path: item, param });
  items.push({ ...spec.remove, method: 'delete', path: item, param });
  registerPath(app, ...items);
}
