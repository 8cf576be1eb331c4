/**
 * What an authorization request asks of the sign-in and of the claims (OIDC Core §3.1.2.1 `acr_values`,
 * §5.5 `claims`), and the authentication context class (`acr`) a sign-in satisfies. Lives in src/oauth
 * because the authorization endpoint decides on it; src/oidc builds the ID token from the same values.
 */
import { InvalidRequestError } from '../errors';

/**
 * InCommon Bronze: a password chosen by the user, no identity proofing. This server's password sign-in
 * satisfies it; it asserts nothing stronger (Silver needs identity proofing this server does not do).
 */
export const ACR_PASSWORD = 'urn:mace:incommon:iap:bronze';
/** Multi-factor sign-in (contracts.md); listed, but no sign-in satisfies it until second factors exist. */
export const ACR_MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
export const ACR_VALUES_SUPPORTED = [ACR_PASSWORD, ACR_MFA];

/** The `acr` a sign-in with these RFC 8176 `amr` values satisfies, or null when none can be asserted. */
export function acrForAmr(amr: readonly string[]): string | null {
  if (amr.includes('mfa')) return ACR_MFA;
  if (amr.includes('pwd')) return ACR_PASSWORD;
  return null;
}

/** The `amr` and `acr` a code or device approval carries for its ID tokens (each left out when empty). */
export function signInClaims(amr: readonly string[]): { amr?: string[]; acr?: string } {
  const acr = acrForAmr(amr);
  return { ...(amr.length > 0 ? { amr: [...amr] } : {}), ...(acr !== null ? { acr } : {}) };
}

/** One requested claim (§5.5.1): null in the request, or `{essential, value, values}`. */
export interface ClaimRequest {
  essential?: boolean;
  /** `value` and `values` together: the values the claim is asked to have (none: any). */
  values?: (string | number | boolean)[];
}

/** §5.5: the claims asked for in the ID token and from UserInfo, by claim name. */
export interface ClaimsRequest {
  id_token?: Record<string, ClaimRequest>;
  userinfo?: Record<string, ClaimRequest>;
}

/** Bound on the `claims` parameter (characters) and on the claims it names per member. */
const MAX_CLAIMS_LENGTH = 4096;
const MAX_CLAIMS_PER_MEMBER = 50;
const MAX_VALUES = 20;
const MAX_ACR_VALUES_LENGTH = 1024;
const CLAIM_NAME = /^[\x21-\x7e]{1,100}$/;

/** §5.5: a JSON object with `id_token` and/or `userinfo` members; anything malformed is invalid_request. */
export function parseClaimsParameter(value: string | undefined): ClaimsRequest | null {
  if (value === undefined) return null;
  if (value.length > MAX_CLAIMS_LENGTH) throw new InvalidRequestError('claims is too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidRequestError('claims must be a JSON object (OIDC Core §5.5)');
  }
  if (!isObject(parsed)) throw new InvalidRequestError('claims must be a JSON object (OIDC Core §5.5)');
  const request: ClaimsRequest = {};
  // Other members are extensions we do not know: ignored, as §5.5 allows.
  for (const member of ['id_token', 'userinfo'] as const) {
    if (!(member in parsed)) continue;
    request[member] = parseMember(member, parsed[member]);
  }
  return request;
}

function parseMember(member: string, value: unknown): Record<string, ClaimRequest> {
  if (!isObject(value)) throw new InvalidRequestError(`claims.${member} must be a JSON object`);
  const names = Object.keys(value);
  if (names.length > MAX_CLAIMS_PER_MEMBER)
    throw new InvalidRequestError(`claims.${member} names too many claims`);
  const claims: Record<string, ClaimRequest> = {};
  for (const name of names) {
    if (!CLAIM_NAME.test(name)) throw new InvalidRequestError(`claims.${member} has a malformed claim name`);
    claims[name] = parseClaim(`claims.${member}.${name}`, value[name]);
  }
  return claims;
}

function parseClaim(where: string, value: unknown): ClaimRequest {
  if (value === null) return {};
  if (!isObject(value)) throw new InvalidRequestError(`${where} must be null or a JSON object`);
  const claim: ClaimRequest = {};
  if ('essential' in value) {
    if (typeof value.essential !== 'boolean')
      throw new InvalidRequestError(`${where}.essential must be a boolean`);
    claim.essential = value.essential;
  }
  const values: (string | number | boolean)[] = [];
  if ('value' in value) values.push(scalar(where, value.value));
  if ('values' in value) {
    if (!Array.isArray(value.values) || value.values.length === 0 || value.values.length > MAX_VALUES) {
      throw new InvalidRequestError(`${where}.values must be a non-empty array`);
    }
    for (const item of value.values) values.push(scalar(where, item));
  }
  if (values.length > 0) claim.values = values;
  return claim;
}

function scalar(where: string, value: unknown): string | number | boolean {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new InvalidRequestError(`${where} values must be strings, numbers or booleans`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** §3.1.2.1 `acr_values`: space-separated, in order of preference; voluntary (unknown values are allowed). */
export function parseAcrValues(value: string | undefined): string[] {
  if (value === undefined) return [];
  if (value.length > MAX_ACR_VALUES_LENGTH) throw new InvalidRequestError('acr_values is too long');
  return value.split(' ').filter(Boolean);
}

/**
 * §5.5.1.1: `acr` asked as an essential claim (`claims.id_token.acr` with `essential: true`) must be met
 * by one of its values (any value when none is named, i.e. some `acr` at all). The values asked, or null
 * when nothing essential is asked. `acr_values` alone is voluntary and never fails a request.
 */
export function essentialAcr(claims: ClaimsRequest | null): (string | number | boolean)[] | null {
  const acr = claims?.id_token?.acr;
  if (!acr?.essential) return null;
  return acr.values ?? [];
}

/** Whether a sign-in of `acr` meets an essential acr request (see essentialAcr). */
export function meetsEssentialAcr(acr: string | null, wanted: (string | number | boolean)[]): boolean {
  if (acr === null) return false;
  return wanted.length === 0 || wanted.includes(acr);
}

/** A `sub` the request names (§5.5.1: only that user may get a positive answer), else null. */
export function requestedSubject(claims: ClaimsRequest | null): string | null {
  for (const member of [claims?.id_token?.sub, claims?.userinfo?.sub]) {
    const value = member?.values?.[0];
    if (member?.values?.length === 1 && typeof value === 'string') return value;
  }
  return null;
}
