/** Creating users: field rules shared with the admin API, the password policy, and the stored record. */
import { hashPassword } from '../crypto/password';
import { randomId } from '../crypto/random';
import type { Storage, UserRecord, UserRole } from '../storage/ports';
import { passwordProblem } from './password-policy';

/** Letters, digits and `. _ @ + -`, starting with a letter or digit; compared case-insensitively. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 200;

/** A user to create; fields are already shape-checked (see USERNAME_PATTERN), the password is not. */
export interface NewUser {
  username: string;
  password: string;
  email: string | null;
  name: string | null;
  role: UserRole;
  emailVerified: boolean;
}

/** A new password the policy refuses; `problem` says why ("is too common"). */
export class PasswordPolicyError extends Error {
  constructor(readonly problem: string) {
    super(`password ${problem}`);
    this.name = 'PasswordPolicyError';
  }
}

/**
 * Creates a user with a freshly hashed password. Throws PasswordPolicyError for a refused password and
 * ConflictError (from the store) when the username is taken, compared case-insensitively.
 */
export async function createUser(storage: Storage, input: NewUser, now: number): Promise<UserRecord> {
  const user = await newUserRecord(input, now);
  await storage.users.create(user);
  return user;
}

/**
 * The record of a new user, password checked and hashed, not yet stored (for a caller that stores it
 * together with other writes, e.g. its audit entry). Throws PasswordPolicyError for a refused password.
 */
export async function newUserRecord(input: NewUser, now: number): Promise<UserRecord> {
  const problem = passwordProblem(input.password);
  if (problem !== null) throw new PasswordPolicyError(problem);
  return {
    id: randomId(),
    username: input.username.toLowerCase(),
    email: input.email,
    name: input.name,
    passwordHash: await hashPassword(input.password),
    role: input.role,
    enabled: true,
    emailVerified: input.email !== null && input.emailVerified,
    createdAt: now,
    updatedAt: now,
  };
}
