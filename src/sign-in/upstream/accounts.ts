/**
 * The local account of an upstream sign-in. An identity already linked (`provider:subject`) signs in its
 * user. Otherwise, with OAUTH2_SOCIAL_LINK_BY_EMAIL=true and an e-mail the provider verified, the one local
 * user with that e-mail, itself verified, gets the identity linked (an unverified local address could
 * have been registered by someone else in advance: linking to it would hand them the account). Failing
 * that, a new user is created together with the identity, atomically. New users have role `user` and a
 * password hash of 256 random bits nobody knows, so they can only sign in upstream.
 */
import type { Config } from '../../config';
import { hashPassword } from '../../crypto/password';
import { randomId, randomToken } from '../../crypto/random';
import { ConflictError, type Storage, type UserRecord } from '../../storage/ports';
import { USERNAME_PATTERN } from '../../users/create-user';
import { ensureSeedAdmin } from '../../users/seed';
import { UpstreamSignInError } from './errors';
import type { UpstreamProfile } from './types';

const MAX_USERNAME_ATTEMPTS = 5;
const BASE_MAX = 40;

export interface ResolvedAccount {
  user: UserRecord;
  /** How the account was found: an existing link, a new link by e-mail, or a new user. */
  outcome: 'linked' | 'linked_by_email' | 'created';
}

export async function resolveAccount(
  storage: Storage,
  config: Config,
  provider: string,
  profile: UpstreamProfile,
  now: number,
): Promise<ResolvedAccount> {
  const existing = await linkedUser(storage, provider, profile.subject);
  if (existing) return { user: usable(existing), outcome: 'linked' };

  // The seed admin's username must not be taken by an upstream account first.
  await ensureSeedAdmin(storage, config, () => now);
  const identity = { provider, subject: profile.subject, email: profile.email, createdAt: now };

  if (config.upstream.linkByEmail && profile.email !== null && profile.emailVerified) {
    const matches = await storage.identities.findUsersByEmail(profile.email, 2);
    const [only] = matches;
    if (matches.length === 1 && only?.emailVerified) {
      try {
        await storage.identities.link({ ...identity, userId: only.id });
        return { user: usable(only), outcome: 'linked_by_email' };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        return { user: usable(await raced(storage, provider, profile.subject)), outcome: 'linked' };
      }
    }
  }

  const passwordHash = await hashPassword(randomToken(32));
  for (let attempt = 0; attempt < MAX_USERNAME_ATTEMPTS; attempt++) {
    const user: UserRecord = {
      id: randomId(),
      username: usernameFor(profile, provider, attempt),
      email: profile.email,
      name: profile.name,
      passwordHash,
      role: 'user',
      enabled: true,
      emailVerified: profile.email !== null && profile.emailVerified,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await storage.identities.createWithUser(user, { ...identity, userId: user.id });
      return { user, outcome: 'created' };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Either the username is taken (try another) or a concurrent first sign-in linked the identity.
      const linked = await linkedUser(storage, provider, profile.subject);
      if (linked) return { user: usable(linked), outcome: 'linked' };
    }
  }
  throw new UpstreamSignInError('no_account', 'no free username');
}

/** The user an identity is linked to; a link whose user was deleted is dropped. */
async function linkedUser(storage: Storage, provider: string, subject: string): Promise<UserRecord | null> {
  const identity = await storage.identities.get(provider, subject);
  if (identity === null) return null;
  const user = await storage.users.getById(identity.userId);
  if (user === null) await storage.identities.delete(provider, subject);
  return user;
}

async function raced(storage: Storage, provider: string, subject: string): Promise<UserRecord> {
  const user = await linkedUser(storage, provider, subject);
  if (user === null) throw new UpstreamSignInError('no_account', 'identity link vanished');
  return user;
}

function usable(user: UserRecord): UserRecord {
  if (!user.enabled) throw new UpstreamSignInError('no_account', 'user disabled');
  return user;
}

/**
 * A username from the profile: `preferred_username`, else the e-mail's local part, else the name, else
 * `<provider>-user`, reduced to USERNAME_PATTERN's characters; from the second attempt on, a random
 * suffix. It is only a label: the account is found by `provider:subject`, never by username.
 */
export function usernameFor(profile: UpstreamProfile, provider: string, attempt: number): string {
  const sources = [profile.preferredUsername, profile.email?.split('@')[0], profile.name, `${provider}-user`];
  let base = '';
  for (const source of sources) {
    base = sanitize(source ?? '');
    if (base.length > 0) break;
  }
  const name =
    attempt === 0
      ? base
      : `${base}-${randomToken(4)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`;
  return USERNAME_PATTERN.test(name)
    ? name
    : `user-${randomToken(6)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, 'x')}`;
}

function sanitize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._@+-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, BASE_MAX)
    .replace(/[^a-z0-9]+$/, '');
}
