/** RFC 6749 §5.1 successful token response, and the signature every grant of the token endpoint has. */
import type { ClientRecord } from '../../storage/ports';
import type { FormParams } from '../form';
import type { OAuthContext } from '../ports';

export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the request carried a valid DPoP proof (RFC 9449 §5), else `Bearer`. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  /** RFC 8693 §2.2.1: the type of the token issued by a token exchange. */
  issued_token_type?: string;
  id_token?: string;
}

/**
 * A grant of the token endpoint (RFC 6749 §3.2): the authenticated client's form, answered with tokens.
 * The endpoint has checked that the client may use the grant type (src/oauth/grant-permission.ts).
 */
export type TokenGrant = (
  ctx: OAuthContext,
  client: ClientRecord,
  params: FormParams,
) => Promise<TokenResponse>;
