/**
 * User management for administrators: list and search, create, read, update (role, enabled, e-mail,
 * name, email_verified, username, password), password reset and delete. Disabling, deleting or
 * resetting the password of a user ends their sessions at once; those and taking administration away
 * also revoke the user's grants (src/admin/grants.ts). An administrator cannot disable,
 * demote or delete their own account (so nobody locks themselves out by accident).
 */
import { z } from 'zod';
import { hashPassword } from '../crypto/password';
import { InvalidRequestError, NotFoundError } from '../oauth/errors';
import { endingSessions, publishBackchannelLogout } from '../oidc/backchannel-logout';
import {
  type AuditEntry,
  ConflictError,
  type UnitOfWork,
  type UserRecord,
  type Written,
} from '../storage/ports';
import {
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  newUserRecord,
  PasswordPolicyError,
  USERNAME_PATTERN,
} from '../users/create-user';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../users/password-policy';
import { ensureSeedAdmin } from '../users/seed';
import { announceAudit, auditEntry } from './audit';
import { type AdminContext, isAdministrator } from './context';
import { revokeUserGrants } from './grants';
import { type PageView, pageOf, pageSchema, parseSearchQuery, type Query, searchQuerySchema } from './paging';
import { ConflictRequestError, parseInput } from './validation';

const username = z
  .string('must be a string')
  .regex(USERNAME_PATTERN, 'must be 1 to 64 letters, digits or . _ @ + -')
  .meta({
    description: 'Unique, case-insensitive (stored lower-case); letters, digits and . _ @ + -',
    example: 'alice',
  });
const password = z.string('must be a string').meta({
  description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not a common password`,
});
const email = z
  .email('must be an e-mail address')
  .max(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`)
  .nullable()
  .meta({ example: 'alice@example.com' });
const name = z
  .string('must be a string')
  .min(1, 'must not be empty')
  .max(NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`)
  .nullable()
  .meta({ example: 'Alice Example' });
const role = z.enum(['user', 'admin'], 'must be user or admin');
const flag = z.boolean('must be true or false');

export const UserCreateSchema = z
  .object({
    username,
    password,
    email: email.optional(),
    name: name.optional(),
    role: role.optional().meta({ description: 'Default user' }),
    email_verified: flag.optional().meta({ description: 'Default false; the OIDC email_verified claim' }),
  })
  .meta({ id: 'UserCreate' });

export const UserUpdateSchema = z
  .strictObject({
    username: username.optional(),
    email: email
      .optional()
      .meta({ description: 'null removes it; a new address is unverified unless email_verified is sent' }),
    name: name.optional(),
    role: role.optional().meta({ description: 'admin to user revokes every grant of the user' }),
    enabled: flag
      .optional()
      .meta({ description: 'false ends every session of the user at once and revokes their grants' }),
    email_verified: flag.optional(),
    password: password
      .optional()
      .meta({ description: 'A new password; ends every session of the user and revokes their grants' }),
  })
  .meta({ id: 'UserUpdate', description: 'Only the fields sent change; unknown fields are refused' });

export const PasswordResetSchema = z.strictObject({ password }).meta({ id: 'PasswordReset' });

export const UserViewSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    role: z.enum(['user', 'admin']),
    enabled: z.boolean(),
    email_verified: z.boolean(),
    created_at: z.number().int().meta({ description: 'Unix time, seconds' }),
    updated_at: z.number().int().meta({ description: 'Unix time, seconds' }),
  })
  .meta({ id: 'User' });

export const UserPageSchema = pageSchema(UserViewSchema, 'UserPage');
export const UserQuerySchema = searchQuerySchema('Case-insensitive substring of username, email or name');

export type UserView = z.output<typeof UserViewSchema>;
export type UserCreateInput = z.input<typeof UserCreateSchema>;
export type UserUpdateInput = z.input<typeof UserUpdateSchema>;

/** The admin view of a user: never the password hash. */
export function userView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    name: user.name,
    role: user.role,
    enabled: user.enabled,
    email_verified: user.emailVerified,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

/** Users, newest first; `q` searches username, e-mail and name (case-insensitive substring). */
export async function listUsers(ctx: AdminContext, query: Query): Promise<PageView<UserView>> {
  const page = parseSearchQuery(query);
  await seed(ctx);
  return pageOf(() => ctx.storage.users.list(page), userView);
}

export async function getUser(ctx: AdminContext, id: string): Promise<UserView> {
  return userView(await storedUser(ctx, id));
}

/** Creates a user (201); 409 when the username is taken (case-insensitively). */
export async function createUser(ctx: AdminContext, body: unknown): Promise<UserView> {
  const input = parseInput(UserCreateSchema, body);
  await seed(ctx);
  let user: UserRecord;
  try {
    user = await newUserRecord(
      {
        username: input.username,
        password: input.password,
        email: input.email ?? null,
        name: input.name ?? null,
        role: input.role ?? 'user',
        emailVerified: input.email_verified ?? false,
      },
      ctx.clock.nowSecs(),
    );
  } catch (error) {
    throw userError(error);
  }
  const audit = auditEntry(
    ctx,
    'user.create',
    { kind: 'user', id: user.id },
    { username: user.username, role: user.role },
  );
  // The user and the audit entry together; a taken username (409) writes neither.
  await writeUser(ctx, audit, (unit) => unit.users.create(user));
  return userView(user);
}

/** Changes the fields sent; see UserUpdateSchema. */
export async function updateUser(ctx: AdminContext, id: string, body: unknown): Promise<UserView> {
  const input = parseInput(UserUpdateSchema, body);
  const current = await storedUser(ctx, id);
  checkSelfChange(ctx, current, input);
  const emailChanged = input.email !== undefined && input.email !== current.email;
  const email = input.email === undefined ? current.email : input.email;
  const updated: UserRecord = {
    ...current,
    username: input.username?.toLowerCase() ?? current.username,
    email,
    name: input.name === undefined ? current.name : input.name,
    role: input.role ?? current.role,
    enabled: input.enabled ?? current.enabled,
    emailVerified: email !== null && (input.email_verified ?? (emailChanged ? false : current.emailVerified)),
    passwordHash: input.password === undefined ? current.passwordHash : await newPasswordHash(input.password),
    updatedAt: ctx.clock.nowSecs(),
  };
  const disabled = current.enabled && !updated.enabled;
  const endsSessions = disabled || input.password !== undefined;
  // A grant must not outlive the credentials or the standing it was obtained with.
  const endsGrants = endsSessions || demoted(ctx, current, updated);
  const fields = Object.keys(input).filter((key) => key !== 'password');
  const audit = auditEntry(
    ctx,
    'user.update',
    { kind: 'user', id },
    {
      username: updated.username,
      fields,
      ...(input.password === undefined ? {} : { password_changed: true }),
      ...(endsSessions ? { sessions_ended: true } : {}),
      ...(endsGrants ? { grants_revoked: true } : {}),
    },
  );
  // The sessions about to end, for OIDC Back-Channel Logout (their sids), read before the change.
  const ending = endsSessions ? await endingSessions(ctx, id) : null;
  // The record, the end of the sessions and the audit entry: all or nothing.
  await writeUser(ctx, audit, (unit) => {
    const saved = unit.users.update(updated);
    if (endsSessions) unit.sessions.deleteByUser(id);
    return saved;
  });
  // OIDC Back-Channel Logout: the relying parties of the ended sessions are told (after the response).
  if (ending) await publishBackchannelLogout(ctx, ending, 'admin_user_update');
  if (endsGrants) await revokeUserGrants(ctx, id, disabled ? 'user_disabled' : 'admin');
  return userView(updated);
}

/** Sets a new password, ends every session of the user and revokes their grants. */
export async function resetUserPassword(ctx: AdminContext, id: string, body: unknown): Promise<UserView> {
  const input = parseInput(PasswordResetSchema, body);
  const current = await storedUser(ctx, id);
  const updated = {
    ...current,
    passwordHash: await newPasswordHash(input.password),
    updatedAt: ctx.clock.nowSecs(),
  };
  const audit = auditEntry(
    ctx,
    'user.password.reset',
    { kind: 'user', id },
    { username: current.username, sessions_ended: true, grants_revoked: true },
  );
  await endSignInsAndGrants(ctx, updated, audit, 'admin_password_reset');
  return userView(updated);
}

/**
 * After a change to how a user signs in: saves `updated` (the user record) with the end of every session
 * of the user, `audit` and the writes of `alongside` (e.g. removing the user's second factors), all or
 * nothing (404 when the user was deleted meanwhile); then tells the relying parties of the ended sessions
 * (back-channel logout, `via`) and revokes the user's grants.
 */
export async function endSignInsAndGrants(
  ctx: AdminContext,
  updated: UserRecord,
  audit: AuditEntry,
  via: string,
  alongside: (unit: UnitOfWork) => void = () => {},
): Promise<void> {
  const ending = await endingSessions(ctx, updated.id);
  await writeUser(ctx, audit, (unit) => {
    alongside(unit);
    const saved = unit.users.update(updated);
    unit.sessions.deleteByUser(updated.id);
    return saved;
  });
  await publishBackchannelLogout(ctx, ending, via);
  await revokeUserGrants(ctx, updated.id, 'admin');
}

/**
 * Deletes a user with their sessions and remembered consents, and its audit entry, all or nothing; then
 * revokes their grants (refresh and access tokens end at once).
 */
export async function deleteUser(ctx: AdminContext, id: string): Promise<void> {
  const current = await storedUser(ctx, id);
  if (isSelf(ctx, id)) throw new InvalidRequestError('invalid id: you cannot delete your own account');
  const audit = auditEntry(ctx, 'user.delete', { kind: 'user', id }, { username: current.username });
  const ending = await endingSessions(ctx, id);
  await writeUser(ctx, audit, (unit) => {
    const deleted = unit.users.delete(id);
    unit.sessions.deleteByUser(id);
    unit.consents.deleteByUser(id);
    return deleted;
  });
  await publishBackchannelLogout(ctx, ending, 'admin_user_delete');
  await revokeUserGrants(ctx, id, 'admin');
}

/**
 * One all-or-nothing change of a user and its audit entry; `build` queues the writes and answers the
 * user write's handle. 409 on a taken username (nothing written); 404 when the user was deleted between
 * the read and this write (the other writes then only touch rows of a user who no longer exists). The
 * entry is announced once stored.
 */
async function writeUser(
  ctx: AdminContext,
  audit: AuditEntry,
  build: (unit: UnitOfWork) => Written,
): Promise<void> {
  let user: Written | undefined;
  try {
    await ctx.storage.atomically((unit) => {
      user = build(unit);
      unit.auditLog.append(audit);
    });
  } catch (error) {
    throw userError(error);
  }
  if ((user?.changes ?? 0) === 0) throw new NotFoundError('no such user');
  await announceAudit(ctx, audit);
}

function seed(ctx: AdminContext): Promise<void> {
  return ensureSeedAdmin(ctx.storage, ctx.config, () => ctx.clock.nowSecs());
}

/** The stored user of `id`; 404 when there is none. */
export async function storedUser(ctx: AdminContext, id: string): Promise<UserRecord> {
  const user = id.length <= 255 ? await ctx.storage.users.getById(id) : null;
  if (!user) throw new NotFoundError('no such user');
  return user;
}

/** The change takes administration away (role, or the verified e-mail OAUTH2_ADMIN_EMAILS names). */
function demoted(ctx: AdminContext, current: UserRecord, updated: UserRecord): boolean {
  return isAdministrator(current, ctx.config) && !isAdministrator(updated, ctx.config);
}

function isSelf(ctx: AdminContext, id: string): boolean {
  return ctx.actor.actorType === 'user' && ctx.actor.actorId === id;
}

function checkSelfChange(
  ctx: AdminContext,
  current: UserRecord,
  input: z.output<typeof UserUpdateSchema>,
): void {
  if (!isSelf(ctx, current.id)) return;
  if (input.enabled === false)
    throw new InvalidRequestError('invalid enabled: you cannot disable your own account');
  if (input.role === 'user' && current.role === 'admin') {
    throw new InvalidRequestError('invalid role: you cannot remove your own admin role');
  }
}

async function newPasswordHash(value: string): Promise<string> {
  const problem = passwordProblem(value);
  if (problem !== null) throw new InvalidRequestError(`invalid password: ${problem}`);
  return hashPassword(value);
}

function userError(error: unknown): unknown {
  if (error instanceof PasswordPolicyError)
    return new InvalidRequestError(`invalid password: ${error.problem}`);
  if (error instanceof ConflictError) return new ConflictRequestError('username is taken');
  return error;
}
