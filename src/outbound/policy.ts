/**
 * The one URL policy of every request this server sends (client `jwks_uri`, client ID metadata documents,
 * back-channel logout, webhooks, upstream identity providers), applied again wherever such a URL is
 * registered or configured. Server-side request forgery guards:
 * - https only; http only to a loopback host, and loopback only where OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP
 *   allows it (local development and tests);
 * - no credentials in the URL;
 * - no IP literal outside public unicast (private, loopback, link-local, CGNAT, benchmarking, multicast,
 *   documentation and reserved ranges; IPv4-mapped, 6to4 and Teredo IPv6 forms included);
 * - no single-label host and no name of a local or internal zone (`localhost`, `*.localhost`, `*.local`,
 *   `*.internal`, `*.localdomain`, `*.home.arpa`), where cloud metadata services and LAN hosts live.
 * Names are not resolved here (a Worker cannot): on Cloudflare an outbound fetch never reaches the
 * private networks of the deployment, which covers a public name that resolves to a private address.
 */

export interface OutboundPolicy {
  /** Loopback hosts (127.0.0.0/8, ::1, `localhost`) over http or https: local development and tests only. */
  allowLoopback: boolean;
}

/**
 * What a registered or configured URL is judged by: a loopback URL is accepted there and used only where
 * the running server allows loopback, so one setting decides without re-registering clients.
 */
export const REGISTRATION_POLICY: OutboundPolicy = { allowLoopback: true };

const MAX_URL_LENGTH = 2048;
const LOCAL_ZONE = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/;

/** Why `value` may not be fetched under `policy`, or null when it may. */
export function outboundUrlProblem(value: string, policy: OutboundPolicy): string | null {
  if (value.length > MAX_URL_LENGTH) return 'is too long';
  const url = URL.parse(value);
  if (!url) return 'is not an absolute URL';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be https';
  if (url.username || url.password) return 'must not contain credentials';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (isLoopback(host)) {
    return policy.allowLoopback ? null : 'must not name a loopback host';
  }
  if (url.protocol !== 'https:') return 'must be https';
  return hostProblem(host);
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and the name `localhost` itself. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const v4 = ipv4(host) ?? mappedIpv4(host);
  if (v4) return v4[0] === 127;
  return host === '[::1]';
}

function hostProblem(host: string): string | null {
  if (host.startsWith('[')) {
    const groups = ipv6(host.slice(1, -1));
    return groups && isPublicIpv6(groups) ? null : 'must not name a private or reserved address';
  }
  const v4 = ipv4(host);
  if (v4) return isPublicIpv4(v4) ? null : 'must not name a private or reserved address';
  if (!host.includes('.')) return 'must not name a single-label host';
  if (LOCAL_ZONE.test(host)) return 'must not name a local or internal host';
  return null;
}

/** The four octets of a dotted IPv4 literal (the URL parser has already normalised other forms). */
function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** The IPv4 address of an IPv4-mapped IPv6 literal (`[::ffff:a.b.c.d]`), or null. */
function mappedIpv4(host: string): number[] | null {
  const groups = host.startsWith('[') ? ipv6(host.slice(1, -1)) : null;
  return groups ? ipv4OfMapped(groups) : null;
}

function ipv4OfMapped(groups: number[]): number[] | null {
  if (!groups.slice(0, 5).every((g) => g === 0) || groups[5] !== 0xffff) return null;
  return embeddedIpv4(groups[6] ?? 0, groups[7] ?? 0);
}

function embeddedIpv4(high: number, low: number): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

/** Ranges of RFC 6890 and RFC 5737 that are not globally reachable, multicast (224/4) and 240/4. */
function isPublicIpv4([a = 0, b = 0, c = 0]: number[]): boolean {
  return !(
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 192 && b === 88 && c === 99) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224
  );
}

/**
 * Global unicast (2000::/3) only, less documentation (2001:db8::/32, 3fff::/20), Teredo (2001::/32) and
 * 6to4 (2002::/16), which embed IPv4 addresses; an IPv4-mapped address is judged as its IPv4 address.
 */
function isPublicIpv6(groups: number[]): boolean {
  const mapped = ipv4OfMapped(groups);
  if (mapped) return isPublicIpv4(mapped);
  const [g0 = 0, g1 = 0] = groups;
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && (g1 === 0x0db8 || g1 === 0)) return false;
  if (g0 === 0x2002) return false;
  return (g0 & 0xfff0) !== 0x3ff0;
}

/** The eight 16-bit groups of an IPv6 literal (brackets removed), or null when it is not one. */
function ipv6(address: string): number[] | null {
  let text = address;
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.slice(1).map(Number);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!all.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return all.map((group) => Number.parseInt(group, 16));
}
