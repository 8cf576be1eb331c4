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
import { blockContains, type IpBlock, parseIp, parseIpBlock } from '../denylist/ip';

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

/** Loopback: 127.0.0.0/8 and ::1 (an IPv4-mapped address counts as its IPv4 address). */
const LOOPBACK = blocks(['127.0.0.0/8', '::1/128']);
/** IPv6 outside global unicast is never public. */
const GLOBAL_UNICAST_V6 = blocks(['2000::/3']);
/**
 * Not globally reachable (RFC 6890, RFC 5737 documentation), multicast and reserved (224.0.0.0/3); in IPv6
 * also documentation, Teredo and 6to4 (which embed IPv4 addresses) and 3ff0::/12.
 */
const NON_PUBLIC = blocks([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/3',
  '2001:db8::/32',
  '2001::/32',
  '2002::/16',
  '3ff0::/12',
]);

function blocks(texts: string[]): IpBlock[] {
  return texts.map((text) => parseIpBlock(text) as IpBlock);
}

/** The address of an IP literal host (IPv6 in brackets, as the URL parser writes it), or null. */
function ipLiteral(host: string): IpBlock | null {
  return parseIp(host.startsWith('[') ? host.slice(1, -1) : host);
}

/** The name `localhost` itself, or a loopback address. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const ip = ipLiteral(host);
  return ip !== null && LOOPBACK.some((block) => blockContains(block, ip));
}

function isPublic(ip: IpBlock): boolean {
  if (ip.version === 6 && !GLOBAL_UNICAST_V6.some((block) => blockContains(block, ip))) return false;
  return !NON_PUBLIC.some((block) => blockContains(block, ip));
}

function hostProblem(host: string): string | null {
  const ip = ipLiteral(host);
  if (ip !== null || host.startsWith('[')) {
    return ip !== null && isPublic(ip) ? null : 'must not name a private or reserved address';
  }
  if (!host.includes('.')) return 'must not name a single-label host';
  if (LOCAL_ZONE.test(host)) return 'must not name a local or internal host';
  return null;
}
