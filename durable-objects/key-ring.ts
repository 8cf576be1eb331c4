/**
 * KeyRing: the one actor that creates and rotates signing keys, so two isolates never generate
 * competing keys. Keys are persisted (private parts encrypted) through the SigningKeyStore port;
 * Workers read them through a per-isolate KeyCache, never per request.
 */
import { DurableObject } from 'cloudflare:workers';
import { loadConfig } from '../src/config';
import { generateSigningKey, isPublished } from '../src/crypto/signing-keys';
import { withStorage } from '../src/storage';
import type { SigningKeyRecord, SigningKeyStore, SigningKeyUse } from '../src/storage/ports';

const USES: SigningKeyUse[] = ['access_token', 'id_token'];

/** Extra verification time after the last token signed by a retiring key can have expired (clock skew). */
const RETIREMENT_SKEW_SECS = 300;

export class KeyRing extends DurableObject<Env> {
  private published: SigningKeyRecord[] | null = null;

  /** The published keys (active and retiring), creating any missing active key first. */
  async getKeys(): Promise<SigningKeyRecord[]> {
    const now = Math.floor(Date.now() / 1000);
    if (this.published?.every((key) => isPublished(key, now))) return this.published;
    await this.ctx.blockConcurrencyWhile(() =>
      withStorage(this.env, this.ctx, (storage) => this.load(now, storage.signingKeys)),
    );
    return this.published ?? [];
  }

  /** Replaces the active key of every use; the old ones verify until their tokens can have expired. */
  async rotate(): Promise<SigningKeyRecord[]> {
    const now = Math.floor(Date.now() / 1000);
    await this.ctx.blockConcurrencyWhile(() =>
      withStorage(this.env, this.ctx, (storage) => this.replaceActive(now, storage.signingKeys)),
    );
    return this.published ?? [];
  }

  private async replaceActive(now: number, store: SigningKeyStore): Promise<void> {
    const { kek, retireAfter } = this.deps();
    const keys = await store.list();
    for (const use of USES) {
      const fresh = await generateSigningKey(use, kek, now);
      await store.insert(fresh);
      for (const old of keys.filter((key) => key.use === use && key.status === 'active')) {
        await store.setStatus(old.kid, 'retiring', now + retireAfter);
      }
    }
    await this.load(now, store);
  }

  private async load(now: number, store: SigningKeyStore): Promise<void> {
    const { kek } = this.deps();
    let keys = await store.list();
    for (const use of USES) {
      if (!keys.some((key) => key.use === use && key.status === 'active')) {
        await store.insert(await generateSigningKey(use, kek, now));
        keys = await store.list();
      }
    }
    for (const key of keys) {
      if (key.status === 'retiring' && !isPublished(key, now))
        await store.setStatus(key.kid, 'retired', key.retiresAt);
    }
    this.published = keys.filter((key) => isPublished(key, now));
  }

  private deps() {
    const result = loadConfig(this.env);
    if (!result.ok) throw new Error(`server misconfigured: ${result.problems.join('; ')}`);
    const { config } = result;
    return {
      kek: config.keyEncryptionKey,
      retireAfter: Math.max(config.accessTokenTtlSecs, 3600) + RETIREMENT_SKEW_SECS,
    };
  }
}
