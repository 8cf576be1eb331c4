/** The denylist entries in force, indexed for lookups on the hot path (no storage access). */
import type { DenyEntry, DenyKind } from '../storage/ports';
import { blockContains, type IpBlock, parseIp, parseIpBlock } from './ip';

/** The identities of a user that the denylist can name. */
export interface DeniableUser {
  id: string;
  username: string;
  email: string | null;
}

function live(entry: DenyEntry, now: number): boolean {
  return entry.expiresAt === null || entry.expiresAt > now;
}

/** Lower-cases the kinds compared case-insensitively. */
export function normalizeDenyValue(kind: Exclude<DenyKind, 'ip'>, value: string): string {
  return kind === 'username' || kind === 'email' ? value.toLowerCase() : value;
}

export class DenylistSnapshot {
  private readonly exact = new Map<string, DenyEntry>();
  private readonly blocks: { block: IpBlock; entry: DenyEntry }[] = [];
  /** Address entries (exact or blocks): without any, matchIp answers without parsing the address. */
  private ipEntries = 0;

  constructor(entries: readonly DenyEntry[]) {
    for (const entry of entries) {
      if (entry.kind !== 'ip') {
        this.exact.set(`${entry.kind}:${normalizeDenyValue(entry.kind, entry.value)}`, entry);
        continue;
      }
      const block = parseIpBlock(entry.value);
      if (block === null) continue;
      this.ipEntries += 1;
      if (block.prefix === (block.version === 4 ? 32 : 128))
        this.exact.set(`ip:${block.version}:${block.network}`, entry);
      else this.blocks.push({ block, entry });
    }
  }

  /** How many entries are indexed. */
  get size(): number {
    return this.exact.size + this.blocks.length;
  }

  /** The entry denying this user id, username, e-mail or client_id at `now`, or null. */
  match(kind: Exclude<DenyKind, 'ip'>, value: string, now: number): DenyEntry | null {
    const entry = this.exact.get(`${kind}:${normalizeDenyValue(kind, value)}`);
    return entry !== undefined && live(entry, now) ? entry : null;
  }

  /** The entry denying this client address (exact or by CIDR block) at `now`, or null. */
  matchIp(address: string, now: number): DenyEntry | null {
    if (this.ipEntries === 0) return null;
    const ip = parseIp(address);
    if (ip === null) return null;
    const exact = this.exact.get(`ip:${ip.version}:${ip.network}`);
    if (exact !== undefined && live(exact, now)) return exact;
    for (const { block, entry } of this.blocks) {
      if (blockContains(block, ip) && live(entry, now)) return entry;
    }
    return null;
  }

  /** The entry denying a user by id, username or e-mail, or null. */
  matchUser(user: DeniableUser, now: number): DenyEntry | null {
    return (
      this.match('user', user.id, now) ??
      this.match('username', user.username, now) ??
      (user.email === null ? null : this.match('email', user.email, now))
    );
  }
}

export const EMPTY_DENYLIST = new DenylistSnapshot([]);
