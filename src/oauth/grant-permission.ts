/**
 * RFC 6749 §5.2 `unauthorized_client`: a client uses only the grant types it registered (RFC 7591 §2
 * `grant_types`), and some grants only with credentials of its own (not as a public client).
 */
import type { ClientRecord } from '../storage/ports';
import { UnauthorizedClientError } from './errors';

/** Who may use a grant type. */
export interface GrantRule {
  grantType: string;
  /** How a refusal names the grant: "this client may not use the <label>". */
  label: string;
  /** Public clients are refused too; a string is the reason they are given. */
  confidentialOnly?: true | string;
}

/** The authorization code grant: at the authorization endpoint, PAR and the token endpoint. */
export const AUTHORIZATION_CODE_RULE: GrantRule = {
  grantType: 'authorization_code',
  label: 'authorization code grant',
};

/** Throws unauthorized_client unless `client` may use the grant of `rule`. */
export function requireGrantType(client: ClientRecord, rule: GrantRule): void {
  const publicClient = client.tokenEndpointAuthMethod === 'none';
  if (publicClient && typeof rule.confidentialOnly === 'string') {
    throw new UnauthorizedClientError(rule.confidentialOnly);
  }
  if ((publicClient && rule.confidentialOnly) || !client.grantTypes.includes(rule.grantType)) {
    throw new UnauthorizedClientError(`this client may not use the ${rule.label}`);
  }
}
