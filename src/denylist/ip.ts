/**
 * IP addresses and CIDR blocks for the denylist: strict parsing (IPv4 dotted quad without leading
 * zeros, IPv6 per RFC 4291 §2.2 without zone ids), canonical text (RFC 5952 for IPv6; an IPv4-mapped
 * IPv6 address is its IPv4 address), and containment.
 */

export interface IpBlock {
  version: 4 | 6;
  /** The network address, host bits zero. */
  network: bigint;
  /** 0..32 (IPv4) or 0..128 (IPv6); the full length is a single address. */
  prefix: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function bits(version: 4 | 6): number {
  return version === 4 ? 32 : 128;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseHextets(groups: string[]): bigint[] | null {
  const out: bigint[] = [];
  for (const group of groups) {
    if (!HEXTET.test(group)) return null;
    out.push(BigInt(`0x${group}`));
  }
  return out;
}

function parseIpv6(text: string): bigint | null {
  if (text.length > 45 || text.includes('%')) return null;
  let hex = text;
  // An embedded IPv4 address in the last 32 bits (::ffff:192.0.2.1) becomes two hextets.
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return null;
  const left = parseHextets(halves[0] === '' ? [] : (halves[0] ?? '').split(':'));
  const right = parseHextets(halves.length === 2 && halves[1] !== '' ? (halves[1] ?? '').split(':') : []);
  if (left === null || right === null) return null;
  const given = left.length + right.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return null;
  const groups = [...left, ...Array<bigint>(8 - given).fill(0n), ...right];
  return groups.reduce((acc, group) => (acc << 16n) | group, 0n);
}

/** A single address as a full-length block; IPv4-mapped IPv6 becomes IPv4. Null when malformed. */
export function parseIp(text: string): IpBlock | null {
  const trimmed = text.trim();
  const v4 = parseIpv4(trimmed);
  if (v4 !== null) return { version: 4, network: v4, prefix: 32 };
  const v6 = parseIpv6(trimmed);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { version: 4, network: v6 & 0xffffffffn, prefix: 32 };
  return { version: 6, network: v6, prefix: 128 };
}

/**
 * An address or a CIDR block (`203.0.113.0/24`, `2001:db8::/32`); host bits are cleared, so
 * `203.0.113.7/24` is `203.0.113.0/24`. Null when malformed.
 */
export function parseIpBlock(text: string): IpBlock | null {
  const [address = '', length, ...rest] = text.trim().split('/');
  if (rest.length > 0) return null;
  const ip = parseIp(address);
  if (ip === null) return null;
  if (length === undefined) return ip;
  if (!/^\d{1,3}$/.test(length)) return null;
  // A mapped IPv6 block (::ffff:0:0/96 and longer) is expressed in IPv4 terms.
  const mappedV6 = ip.version === 4 && address.includes(':');
  const prefix = Number(length) - (mappedV6 ? 96 : 0);
  if (prefix < 0 || prefix > bits(ip.version)) return null;
  return { version: ip.version, network: ip.network & mask(ip.version, prefix), prefix };
}

function mask(version: 4 | 6, prefix: number): bigint {
  const width = BigInt(bits(version));
  const all = (1n << width) - 1n;
  return (all >> BigInt(prefix)) ^ all;
}

/** True when `ip` (a single address) lies in `block`. */
export function blockContains(block: IpBlock, ip: IpBlock): boolean {
  if (block.version !== ip.version) return false;
  return (ip.network & mask(block.version, block.prefix)) === block.network;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952 §4: lower-case, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => (value >> BigInt((7 - i) * 16)) & 0xffffn);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0n) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0n) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

/** Canonical text: the address alone for a single address, else `network/prefix`. */
export function formatIpBlock(block: IpBlock): string {
  const address = block.version === 4 ? formatIpv4(block.network) : formatIpv6(block.network);
  return block.prefix === bits(block.version) ? address : `${address}/${block.prefix}`;
}
