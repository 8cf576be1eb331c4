/**
 * The shape most admin API resources share: a collection (list, create) and its items (read, update,
 * delete), or a paged listing alone; each route declared once with its own schemas and OpenAPI metadata,
 * calling its src/admin operation, answered with no-store JSON (or 204), and 405 with Allow for the other
 * methods on each path.
 */
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AdminContext } from '../../../src/admin/context';
import { PageQuerySchema, type Query } from '../../../src/admin/paging';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { answer, jsonResponse } from '../schemas';
import {
  adminQuery,
  adminRoute,
  allowOnly,
  itemErrors,
  jsonBody,
  noStore,
  operationCheckedBody,
  pathParam,
  querySchema,
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

/**
 * One operation of a collection or listing: its OpenAPI texts, its body, and the description of its answer,
 * whose schema is the collection's (`item` for read, create and update; none, a 204, for delete) unless
 * `reply` names one.
 */
interface Part<Run, B extends Body = Body> extends Described {
  body?: B;
  reply: Reply | string;
  /** The operation in src/admin, called with the request's query, path parameter or body. */
  run: Run;
}

type Operation<Args extends unknown[]> = (ctx: AdminContext, ...args: Args) => Promise<unknown>;

/** A paged listing: paging, and its own search or filter parameters (`filters`). */
export type Listing = Part<Operation<[query: Query]>> & { filters?: z.ZodRawShape };

export interface Collection<C extends Body, U extends Body> {
  path: string;
  /** The items' path parameter and its description. */
  param: readonly [name: string, description: string];
  /** One item, as read, created and updated. */
  item: z.ZodType;
  list: Listing;
  create?: Part<Operation<[body: BodyValue<C>]>, C>;
  /** Routes registered after the collection's and before the item's (a fixed segment before `{param}`). */
  between?: () => void;
  get: Omit<Part<Operation<[id: string]>>, 'body'>;
  update?: Part<Operation<[id: string, body: BodyValue<U>]>, U>;
  remove: Omit<Part<Operation<[id: string]>>, 'body'>;
}

/** The query of a listing: paging, and the listing's own parameters. */
export function pagedQuery(filters: z.ZodRawShape = {}): QuerySchema {
  return querySchema(PageQuerySchema.extend(filters));
}

/** An operation's texts and body, its reply completed with the collection's schema (or a 204). */
function describe(part: Described & { body?: Body; reply: Reply | string }, schema: z.ZodType | undefined) {
  const { summary, description, body } = part;
  const reply = typeof part.reply === 'string' && schema ? ([part.reply, schema] as const) : part.reply;
  return {
    summary,
    ...(description !== undefined ? { description } : {}),
    ...(body !== undefined ? { body } : {}),
    reply,
  };
}

function listing(path: string, list: Listing): AdminOperation {
  return {
    ...describe(list, undefined),
    method: 'get',
    path,
    query: pagedQuery(list.filters),
    run: (ctx, { query }) => list.run(ctx, query),
  };
}

/** A paged listing alone on its path. */
export function registerListing(app: OpenAPIHono<AppEnv>, path: string, list: Listing): void {
  registerPath(app, listing(path, list));
}

/** list and create on `path`, get, update and delete on `path/{param}`. */
export function registerCollection<C extends Body, U extends Body>(
  app: OpenAPIHono<AppEnv>,
  spec: Collection<C, U>,
): void {
  const { path, param, item, list, create, get, update, remove } = spec;
  const collection = [listing(path, list)];
  if (create) {
    collection.push({
      ...describe(create, item),
      method: 'post',
      path,
      created: true,
      run: (ctx, { body }) => create.run(ctx, body as BodyValue<C>),
    });
  }
  registerPath(app, ...collection);
  spec.between?.();
  const at = { path: `${path}/{${param[0]}}`, param };
  const items: AdminOperation[] = [
    { ...describe(get, item), ...at, method: 'get', run: (ctx, { id }) => get.run(ctx, id) },
  ];
  if (update) {
    items.push({
      ...describe(update, item),
      ...at,
      method: 'put',
      run: (ctx, { id, body }) => update.run(ctx, id, body as BodyValue<U>),
    });
  }
  items.push({
    ...describe(remove, undefined),
    ...at,
    method: 'delete',
    run: (ctx, { id }) => remove.run(ctx, id),
  });
  registerPath(app, ...items);
}
