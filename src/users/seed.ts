/** The seed admin (OAUTH2_SEED_*): created when absent, checked once per isolate, never overwritten. */
import type { Config } from '../config';
import { hashPassword } from '../crypto/password';
import { randomId } from '../crypto/random';
import { ConflictError, type Storage } from '../storage/ports';

const seeded = new WeakMap<Storage, Promise<void>>();

/**
 * Makes sure the seed admin exists (role admin, e-mail verified). Idempotent and cheap after the first
 * call in an isolate: one username lookup, then nothing. A user of that name that already exists is left
 * as it is (its password is not reset from the configuration). A concurrent creation by another isolate
 * (ConflictError) counts as done; any other failure is retried on the next call.
 */
export function ensureSeedAdmin(storage: Storage, config: Config, now: () => number): Promise<void> {
  const seed = config.seedAdmin;
  if (seed === undefined) return Promise.resolve();
  let done = seeded.get(storage);
  if (done === undefined) {
    done = createWhenAbsent(storage, seed, now()).catch((error: unknown) => {
      seeded.delete(storage);
      throw error;
    });
    seeded.set(storage, done);
  }
  return done;
}

async function createWhenAbsent(
  storage: Storage,
  seed: NonNullable<Config['seedAdmin']>,
  now: number,
): Promise<void> {
  if (await storage.users.getByUsername(seed.username)) return;
  try {
    await storage.users.create({
      id: randomId(),
      username: seed.username.toLowerCase(),
      email: seed.email,
      name: null,
      passwordHash: await hashPassword(seed.password),
      role: 'admin',
      enabled: true,
      emailVerified: true,
      createdAt: now,
      updatedAt: now,
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
