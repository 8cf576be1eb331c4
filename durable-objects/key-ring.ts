/**
 * KeyRing: the one actor that creates and rotates signing keys, so two isolates never generate
 * competing keys. Keys are persisted (private parts encrypted) through the SigningKeyStore port;
 * Workers read them through a per-isolate KeyCache, never per request.
 *
 * Rotation: manual (`rotate`, the admin API) replaces the active keys at once; scheduled (`rotateIfDue`,
 * the cron trigger) pre-publishes a successor (`next`) and promotes it once every JWKS cache has seen it
 * (src/crypto/key-rotation.ts). Either way a replaced key keeps verifying (`retiring`) until every token
 * it signed has expired, then is `retired`. Each promotion is one all-or-nothing storage change.
 */
import { DurableObject } from 'cloudflare:workers';
import { type Clock, systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { dueRotationSteps, type RotationStep, retirementDelaySecs } from '../src/crypto/key-rotation';
import { generateSigningKey, inSlot, isPublished, KEY_SLOTS, type KeySlot } from '../src/crypto/signing-keys';
import { ID_TOKEN_TTL_SECS } from '../src/oidc/id-token';
import { withStorage } from '../src/storage';
import type { AuditEntry, SigningKeyRecord, SigningKeyStore, Storage } from '../src/storage/ports';

/** What a scheduled check did (kids only: public identifiers). */
export interface RotationReport {
  prepublished: string[];
  promoted: string[];
  retired: string[];
}

export class KeyRing extends DurableObject<Env> {
  /** This object's clock; a test may replace it. */
  clock: Clock = systemClock;
  private published: SigningKeyRecord[] | null = null;

  /** The published keys (next, active and retiring), creating any missing active key first. */
  async getKeys(): Promise<SigningKeyRecord[]> {
    const now = this.clock.nowSecs();
    if (this.published?.every((key) => isPublished(key, now))) return this.published;
    await this.ctx.blockConcurrencyWhile(() =>
      withStorage(this.env, this.ctx, (storage) => this.load(now, storage.signingKeys)),
    );
    return this.published ?? [];
  }

  /**
   * Replaces the active key of every slot (use and algorithm) at once (the successor already published, if one is, else a
   * new key); the old ones verify until their tokens can have expired. `audit` is written in the same
   * all-or-nothing change, its metadata gaining `active_kids` (the new keys' kids, sorted).
   */
  async rotate(audit?: AuditEntry): Promise<SigningKeyRecord[]> {
    const now = this.clock.nowSecs();
    await this.ctx.blockConcurrencyWhile(() =>
      withStorage(this.env, this.ctx, (storage) => this.replaceActive(now, storage, audit)),
    );
    return this.published ?? [];
  }

  /**
   * The cron trigger's check: pre-publishes, promotes and retires what is due at `now` (the scheduled
   * time, epoch seconds; defaults to the clock). Safe to call any number of times.
   */
  async rotateIfDue(now: number = this.clock.nowSecs()): Promise<RotationReport> {
    const report: RotationReport = { prepublished: [], promoted: [], retired: [] };
    await this.ctx.blockConcurrencyWhile(() =>
      withStorage(this.env, this.ctx, async (storage) => {
        report.retired.push(...(await this.load(now, storage.signingKeys)));
        const { kek, policy } = this.deps();
        const steps = dueRotationSteps(await storage.signingKeys.list(), KEY_SLOTS, policy, now);
        for (const step of steps) await this.apply(step, storage, kek, now, report);
        if (steps.length > 0) await this.load(now, storage.signingKeys);
      }),
    );
    return report;
  }

  private async apply(
    step: RotationStep,
    storage: Storage,
    kek: string,
    now: number,
    report: RotationReport,
  ): Promise<void> {
    if (step.kind === 'prepublish') {
      const next = await generateSigningKey({ use: step.use, alg: step.alg }, kek, now, 'next');
      await storage.signingKeys.insert(next);
      report.prepublished.push(next.kid);
      return;
    }
    // The successor signs and its predecessors retire together, or neither happens.
    await storage.atomically((unit) => {
      unit.signingKeys.setStatus(step.kid, 'active', null);
      for (const kid of step.replaces) unit.signingKeys.setStatus(kid, 'retiring', step.retiresAt);
    });
    report.promoted.push(step.kid);
  }

  private async replaceActive(now: number, storage: Storage, audit: AuditEntry | undefined): Promise<void> {
    const { kek, policy } = this.deps();
    const keys = await storage.signingKeys.list();
    const successors: { slot: KeySlot; next: SigningKeyRecord | undefined; fresh: SigningKeyRecord }[] = [];
    for (const slot of KEY_SLOTS) {
      const next = keys.find((key) => inSlot(key, slot) && key.status === 'next');
      successors.push({ slot, next, fresh: next ?? (await generateSigningKey(slot, kek, now)) });
    }
    const activeKids = successors.map(({ fresh }) => fresh.kid).sort();
    await storage.atomically((unit) => {
      for (const { slot, next, fresh } of successors) {
        if (next) unit.signingKeys.setStatus(next.kid, 'active', null);
        else unit.signingKeys.insert(fresh);
        for (const old of keys.filter((key) => inSlot(key, slot) && key.status === 'active')) {
          unit.signingKeys.setStatus(old.kid, 'retiring', now + policy.retireAfterSecs);
        }
      }
      if (audit) {
        unit.auditLog.append({ ...audit, metadata: { active_kids: activeKids, ...audit.metadata } });
      }
    });
    await this.load(now, storage.signingKeys);
  }

  /** Creates missing active keys, retires expired retiring ones (their kids answered), caches the rest. */
  private async load(now: number, store: SigningKeyStore): Promise<string[]> {
    const { kek } = this.deps();
    let keys = await store.list();
    for (const slot of KEY_SLOTS) {
      if (!keys.some((key) => inSlot(key, slot) && key.status === 'active')) {
        await store.insert(await generateSigningKey(slot, kek, now));
        keys = await store.list();
      }
    }
    const retired: string[] = [];
    for (const key of keys) {
      if (key.status === 'retiring' && !isPublished(key, now)) {
        await store.setStatus(key.kid, 'retired', key.retiresAt);
        retired.push(key.kid);
      }
    }
    this.published = keys.filter((key) => isPublished(key, now));
    return retired;
  }

  private deps() {
    const result = loadConfig(this.env);
    if (!result.ok) throw new Error(`server misconfigured: ${result.problems.join('; ')}`);
    const { config } = result;
    return {
      kek: config.keyEncryptionKey,
      policy: {
        ...config.keyRotation,
        retireAfterSecs: retirementDelaySecs(config.accessTokenTtlSecs, ID_TOKEN_TTL_SECS),
      },
    };
  }
}
