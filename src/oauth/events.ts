/**
 * The domain events the OAuth endpoints publish. Metadata carries ids, scopes, formats and reasons only:
 * never a token, code or secret (the grant id is the routing part of a token, useless on its own).
 */
import type { DomainEvent } from '../events/types';
import type { AccessTokenInfo } from './tokens/access-token';

/** Why a grant was revoked (label of oauth2_server_oauth_token_revoked_total). */
export type RevocationReason =
  | 'client_request'
  | 'code_replay'
  | 'refresh_token_reuse'
  | 'user_disabled'
  | 'admin'
  /** The user revoked a connected app themselves (/profile, or the /mcp self-service tool). */
  | 'user_request';

/** token_created: an access token was issued (one event per token response). */
export function tokenCreated(
  info: AccessTokenInfo,
  grantType:
    | 'authorization_code'
    | 'client_credentials'
    | 'refresh_token'
    | 'urn:ietf:params:oauth:grant-type:device_code'
    | 'urn:ietf:params:oauth:grant-type:token-exchange'
    | 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  extra: { refreshToken?: boolean; idToken?: boolean; userId?: string | null } = {},
): DomainEvent {
  return {
    type: 'token_created',
    clientId: info.clientId,
    userId: extra.userId ?? null,
    metadata: {
      grant_type: grantType,
      grant_id: info.grantId,
      token_format: info.format,
      scope: info.scope,
      expires_at: info.exp,
      refresh_token: extra.refreshToken ?? false,
      id_token: extra.idToken ?? false,
    },
  };
}

/** token_revoked: a whole grant (token family) was revoked. */
export function tokenRevoked(
  grantId: string,
  reason: RevocationReason,
  subject: { clientId: string | null; userId?: string | null; tokenKind?: 'access_token' | 'refresh_token' },
): DomainEvent {
  return {
    type: 'token_revoked',
    severity:
      reason === 'client_request' || reason === 'admin' || reason === 'user_request' ? 'info' : 'warning',
    clientId: subject.clientId,
    userId: subject.userId ?? null,
    metadata: {
      grant_id: grantId,
      reason,
      ...(subject.tokenKind === undefined ? {} : { token_kind: subject.tokenKind }),
    },
  };
}
