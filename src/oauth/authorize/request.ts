/**
 * RFC 6749 §4.1.1 / OIDC Core §3.1.2.1 authorization request validation, after the redirect URI is
 * verified: errors from here on travel back to the client by redirect.
 */
import type { ClientRecord } from '../../storage/ports';
import { AuthorizationError, InvalidRequestError } from '../errors';
import type { FormParams } from '../form';
import { AUTHORIZATION_CODE_RULE, requireGrantType } from '../grant-permission';
import { requireS256Challenge } from '../pkce';
import type { ScopeRegistry } from '../scopes/registry';
import { grantScope } from '../scopes/scope';
import { type ClaimsRequest, parseAcrValues, parseClaimsParameter } from './claims';
import { RESPONSE_MODES } from './redirect';

export type Prompt = 'none' | 'login' | 'consent' | 'select_account';
const PROMPTS = new Set<string>(['none', 'login', 'consent', 'select_account']);
const MAX_NONCE_LENGTH = 512;
const MAX_LOGIN_HINT_LENGTH = 256;
/** RFC 9449 §10: `dpop_jkt` is a base64url SHA-256 JWK thumbprint (RFC 7638), 43 characters. */
const DPOP_JKT_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface AuthorizationRequest {
  scope: string[];
  codeChallenge: string;
  nonce: string | null;
  prompt: Set<Prompt>;
  maxAge: number | null;
  loginHint: string | null;
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to (redeemed only with a proof by it). */
  dpopJkt: string | null;
  /** OIDC Core §5.5 `claims`, parsed; null when absent. */
  claims: ClaimsRequest | null;
  /** OIDC Core §3.1.2.1 `acr_values` in order of preference (voluntary). */
  acrValues: string[];
}

export function validateAuthorizationRequest(
  params: FormParams,
  client: ClientRecord,
  scopes: ScopeRegistry,
): AuthorizationRequest {
  // Request objects are resolved before (request-object.ts): one left here was nested in another.
  if (params.has('request')) throw new InvalidRequestError('request objects cannot be nested');
  if (params.has('request_uri')) {
    throw new AuthorizationError('request_uri_not_supported', 'request_uri is not supported');
  }
  const responseType = params.get('response_type');
  if (responseType === undefined) throw new InvalidRequestError('missing required parameter response_type');
  if (responseType !== 'code') {
    throw new AuthorizationError('unsupported_response_type', 'only response_type=code is supported');
  }
  // The mode itself is carried by the VerifiedRedirect (redirect.ts), which reads an unknown one as query.
  const responseMode = params.get('response_mode');
  if (responseMode !== undefined && !(RESPONSE_MODES as readonly string[]).includes(responseMode)) {
    throw new InvalidRequestError(`response_mode must be one of ${RESPONSE_MODES.join(', ')}`);
  }
  requireGrantType(client, AUTHORIZATION_CODE_RULE);
  const codeChallenge = requireS256Challenge(
    params.get('code_challenge'),
    params.get('code_challenge_method'),
  );
  const nonce = params.get('nonce') ?? null;
  if (nonce !== null && nonce.length > MAX_NONCE_LENGTH) throw new InvalidRequestError('nonce is too long');
  const loginHint = params.get('login_hint') ?? null;
  if (loginHint !== null && loginHint.length > MAX_LOGIN_HINT_LENGTH) {
    throw new InvalidRequestError('login_hint is too long');
  }
  const dpopJkt = params.get('dpop_jkt') ?? null;
  if (dpopJkt !== null && !DPOP_JKT_PATTERN.test(dpopJkt)) {
    throw new InvalidRequestError('dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 §10)');
  }
  return {
    scope: grantScope(params.get('scope'), client.scope, scopes),
    codeChallenge,
    nonce,
    prompt: parsePrompt(params.get('prompt')),
    maxAge: parseSeconds(params.get('max_age'), 'max_age'),
    loginHint,
    dpopJkt,
    claims: parseClaimsParameter(params.get('claims')),
    acrValues: parseAcrValues(params.get('acr_values')),
  };
}

function parsePrompt(value: string | undefined): Set<Prompt> {
  const prompts = new Set<Prompt>();
  for (const word of (value ?? '').split(' ').filter(Boolean)) {
    if (!PROMPTS.has(word)) throw new InvalidRequestError(`unsupported prompt value ${word.slice(0, 40)}`);
    prompts.add(word as Prompt);
  }
  if (prompts.has('none') && prompts.size > 1) {
    throw new InvalidRequestError('prompt=none cannot be combined with other values');
  }
  return prompts;
}

function parseSeconds(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (!/^\d{1,10}$/.test(value)) throw new InvalidRequestError(`${name} must be a non-negative integer`);
  return Number(value);
}
