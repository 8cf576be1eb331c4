export { DENYLIST_CACHE_TTL_SECS, DENYLIST_MAX_ENTRIES, DenylistCache, type DenylistLoader } from './cache';
export { withClientDenylist } from './clients';
export { blockContains, formatIpBlock, type IpBlock, parseIp, parseIpBlock } from './ip';
export { type DeniableUser, DenylistSnapshot, normalizeDenyValue } from './snapshot';
