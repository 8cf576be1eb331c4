/** POST /admin/api/users: create a user (admin-scoped Bearer access token). The rest of the admin API is issue #4. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { randomId } from '../../src/crypto/random';
import type { AccessTokenInfo } from '../../src/oauth/access-token';
import { readBearer, requireAccessToken } from '../../src/oauth/bearer';
import { InvalidRequestError, OAuthError } from '../../src/oauth/errors';
import type { OAuthContext } from '../../src/oauth/ports';
import { ConflictError, type UserRecord } from '../../src/storage/ports';
import {
  createUser,
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  type NewUser,
  PasswordPolicyError,
  USERNAME_PATTERN,
  userView,
} from '../../src/users/create-user';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/users/password-policy';
import { ensureSeedAdmin } from '../../src/users/seed';
import type { AppEnv } from '../context';
import { readJsonObject } from '../middleware/body';
import { oauthContext } from '../services';
import { OAuthErrorSchema } from './schemas';

const USERS_PATH = '/admin/api/users';

const UserCreateSchema = z
  .object({
    username: z
      .string('must be a string')
      .regex(USERNAME_PATTERN, 'must be 1 to 64 letters, digits or . _ @ + -')
      .openapi({
        description: 'Unique, case-insensitive (stored lower-case); letters, digits and . _ @ + -',
        example: 'alice',
      }),
    password: z.string('must be a string').openapi({
      description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not a common password`,
    }),
    email: z
      .email('must be an e-mail address')
      .max(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`)
      .nullable()
      .optional()
      .openapi({ example: 'alice@example.com' }),
    name: z
      .string('must be a string')
      .min(1, 'must not be empty')
      .max(NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`)
      .nullable()
      .optional()
      .openapi({ example: 'Alice Example' }),
    role: z
      .enum(['user', 'admin'], 'must be user or admin')
      .optional()
      .openapi({ description: 'Default user' }),
    email_verified: z
      .boolean('must be true or false')
      .optional()
      .openapi({ description: 'Default false; the OIDC email_verified claim' }),
  })
  .openapi('UserCreate');

const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    role: z.enum(['user', 'admin']),
    enabled: z.boolean(),
    email_verified: z.boolean(),
    created_at: z.number().int().openapi({ description: 'Unix time, seconds' }),
  })
  .openapi('User');

const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: OAuthErrorSchema } },
});

export const createUserRoute = createRoute({
  method: 'post',
  path: USERS_PATH,
  tags: ['Admin'],
  summary: 'Create a user',
  description: 'Needs a Bearer access token with scope admin. The password hash is never returned.',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: UserCreateSchema } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: UserSchema } } },
    400: jsonError('invalid_request naming the field'),
    401: jsonError('No token, or an invalid, expired or revoked one (invalid_token)'),
    403: jsonError('The token lacks scope admin (insufficient_scope)'),
    409: jsonError('The username is taken'),
    413: jsonError('Body larger than 64 KiB'),
    503: jsonError('Misconfigured or unavailable'),
  },
});

/** The body as a NewUser, or invalid_request naming the first offending field. */
export function parseNewUser(document: Record<string, unknown>): NewUser {
  const parsed = UserCreateSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'body');
    if (document[field] === undefined) throw new InvalidRequestError(`missing required field ${field}`);
    throw new InvalidRequestError(`invalid ${field}: ${issue?.message ?? 'malformed'}`);
  }
  const body = parsed.data;
  return {
    username: body.username,
    password: body.password,
    email: body.email ?? null,
    name: body.name ?? null,
    role: body.role ?? 'user',
    emailVerified: body.email_verified ?? false,
  };
}

async function create(ctx: OAuthContext, input: NewUser): Promise<UserRecord> {
  await ensureSeedAdmin(ctx.storage, ctx.config, ctx.now);
  try {
    return await createUser(ctx.storage, input, ctx.now());
  } catch (error) {
    if (error instanceof PasswordPolicyError)
      throw new InvalidRequestError(`invalid password: ${error.problem}`);
    if (error instanceof ConflictError) throw new OAuthError('invalid_request', 'username is taken', 409);
    throw error;
  }
}

async function audit(c: Context<AppEnv>, ctx: OAuthContext, actor: AccessTokenInfo, user: UserRecord) {
  await ctx.storage.auditLog.append({
    id: randomId(),
    actorId: actor.sub,
    actorType: actor.sub === actor.clientId ? 'client' : 'user',
    action: 'user.create',
    targetKind: 'user',
    targetId: user.id,
    ip: c.req.header('cf-connecting-ip') ?? null,
    userAgent: c.req.header('user-agent') ?? null,
    metadata: { username: user.username, role: user.role, client_id: actor.clientId },
    createdAt: ctx.now(),
  });
}

export function registerAdminUserRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(createUserRoute);
  app.post(USERS_PATH, async (c) => {
    const ctx = oauthContext(c.env, c.get('config'), c.req.url);
    const actor = await requireAccessToken(ctx, readBearer(c.req.header('authorization')), 'admin');
    const input = parseNewUser(await readJsonObject(c.req.raw));
    const user = await create(ctx, input);
    await audit(c, ctx, actor, user);
    return c.json(userView(user), 201, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });
}
