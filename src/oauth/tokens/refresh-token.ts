/**
 * Refresh tokens (RFC 6749 §1.5, §6; RFC 9700 §4.14): `ort_` + grant id (22 chars) + 256-bit secret
 * (43 chars base64url). The first token of a family is random; each successor's secret is
 * HMAC-SHA256(key, presented token), so a retried refresh recomputes the same successor and the
 * TokenActor, which stores only SHA-256 hashes, can recognise it.
 */
import type { Config } from '../../config';
import { derivedKeyPerSecret } from '../../crypto/derive-key';
import { toBase64Url, utf8 } from '../../crypto/encoding';
import { sha256 } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import type { ClientRecord } from '../../storage/ports';
import { InvalidGrantError } from '../errors';
import type { OAuthContext } from '../ports';
import { GRANT_ID_PATTERN } from '../sharded-id';

const PREFIX = 'ort_';
const REFRESH_TOKEN = new RegExp(`^${PREFIX}(${GRANT_ID_PATTERN})[A-Za-z0-9_-]{43}$`);

/** The scope that asks for a refresh token (OIDC Core §11). */
export const OFFLINE_ACCESS = 'offline_access';

/** The grant id a well-formed refresh token names, or null when the string is not one of ours. */
export function refreshTokenGrantId(token: string): string | null {
  return REFRESH_TOKEN.exec(token)?.[1] ?? null;
}

/**
 * Whether a code redemption yields a refresh token: the client must be allowed the
 * refresh_token grant and either have been granted `offline_access` or be first-party.
 */
export function mayIssueRefreshToken(client: ClientRecord, scope: readonly string[]): boolean {
  if (!client.grantTypes.includes('refresh_token')) return false;
  return scope.includes(OFFLINE_ACCESS) || client.firstParty;
}

export interface InitialRefreshToken {
  grantId: string;
  client: ClientRecord;
  userId: string;
  /** The granted scopes. */
  scope: readonly string[];
  authTime: number;
  sid: string;
  /** RFC 8176 `amr` and `acr` of the sign-in, for the ID tokens of later refreshes. */
  amr?: string[] | undefined;
  acr?: string | undefined;
  /** RFC 8707: the resources granted at authorization; a refresh may only narrow to these. */
  resources?: string[] | undefined;
}

/**
 * At authorization code redemption: starts the grant's refresh-token family and returns its first
 * token, or null when this client gets no refresh token. Throws invalid_grant when the grant was
 * revoked meanwhile (its code was replayed).
 */
export async function issueInitialRefreshToken(
  ctx: OAuthContext,
  grant: InitialRefreshToken,
): Promise<string | null> {
  if (!mayIssueRefreshToken(grant.client, grant.scope)) return null;
  const token = `${PREFIX}${grant.grantId}${randomToken(32)}`;
  const now = ctx.clock.nowSecs();
  const started = await ctx.tokens.startFamily(
    grant.grantId,
    {
      clientId: grant.client.clientId,
      userId: grant.userId,
      scope: grant.scope.join(' '),
      authTime: grant.authTime,
      sid: grant.sid,
      ...(grant.amr?.length ? { amr: grant.amr } : {}),
      ...(grant.acr ? { acr: grant.acr } : {}),
      expiresAt: now + ctx.config.refreshTokenTtlSecs,
      // RFC 9449 §5: a public client's refresh token is bound to the DPoP key of the request that got it.
      ...(ctx.confirmation && grant.client.tokenEndpointAuthMethod === 'none'
        ? { jkt: ctx.confirmation.jkt }
        : {}),
      ...(grant.resources?.length ? { resources: grant.resources } : {}),
    },
    { hash: await sha256(token), accessTokenExpiresAt: now + ctx.config.accessTokenTtlSecs },
  );
  if (!started) throw new InvalidGrantError('the grant has been revoked');
  return token;
}

/** The successor of a refresh token: same grant id, secret = HMAC-SHA256(successor key, token). */
export async function successorRefreshToken(config: Config, token: string, grantId: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await successorKey(config.sessionKey), utf8(token));
  return `${PREFIX}${grantId}${toBase64Url(new Uint8Array(mac))}`;
}

/**
 * An HMAC key derived (HKDF-SHA256, its own salt and info) from OAUTH2_SESSION_KEY, cached per
 * isolate. Rotating the session key only means a retry across the change counts as reuse.
 */
const successorKey = derivedKeyPerSecret('oauth2-refresh-tokens', 'successor-hmac-v1', 'hmac');
