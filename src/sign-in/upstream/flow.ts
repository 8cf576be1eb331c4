/**
 * Upstream sign-in, provider-independent: find the provider (with aliases), start an attempt (pending
 * state saved, then the provider's authorization URL), and finish one from its callback parameters.
 */
import type { AuthStatePort } from '../../oauth/authorization-state';
import type { ProviderConfig, UpstreamConfig } from './config';
import { UpstreamSignInError } from './errors';
import { finishGithub, githubAuthorizationUrl } from './github';
import type { UpstreamHttp } from './http';
import { finishOidc, oidcAuthorizationUrl } from './oidc';
import { newAttempt, PENDING_TTL_SECS, savePending, type UpstreamPending } from './pending';
import type { UpstreamProfile } from './types';

/** The enabled provider served at `/auth/…/{id}` (an alias resolves to its target), else null. */
export function findProvider(config: UpstreamConfig, id: string): ProviderConfig | null {
  const target = Object.hasOwn(config.aliases, id) ? config.aliases[id] : id;
  return config.providers.find((p) => p.id === target) ?? null;
}

/** `{issuer}/auth/callback/{provider}`: the redirect URI to register at the provider. */
export function callbackUri(issuer: string, provider: ProviderConfig): string {
  return `${issuer}/auth/callback/${provider.id}`;
}

export interface StartInput {
  issuer: string;
  binding: string;
  returnTo: string;
  shards: number;
  now: number;
}

/** Saves a new pending attempt and answers the provider URL to send the browser to. */
export async function startSignIn(
  provider: ProviderConfig,
  auth: AuthStatePort,
  http: UpstreamHttp,
  input: StartInput,
): Promise<string> {
  const attempt = await newAttempt(input.shards);
  const redirectUri = callbackUri(input.issuer, provider);
  const params = {
    state: attempt.state,
    nonce: attempt.nonce,
    codeChallenge: attempt.codeChallenge,
    redirectUri,
  };
  // Discovery first: if the provider is down, nothing is saved.
  const url =
    provider.kind === 'github'
      ? githubAuthorizationUrl(provider, params)
      : await oidcAuthorizationUrl(provider, http, params);
  const pending: UpstreamPending = {
    provider: provider.id,
    codeVerifier: attempt.codeVerifier,
    nonce: attempt.nonce,
    redirectUri,
    returnTo: input.returnTo,
    expiresAt: input.now + PENDING_TTL_SECS,
  };
  await savePending(auth, attempt.state, input.binding, pending, input.now, attempt.codeChallenge);
  return url;
}

/** The callback's answer: a code, or the provider's error (RFC 6749 §4.1.2.1). */
export type CallbackResult = { code: string; iss: string | null } | { error: string; iss: string | null };

/** Redeems the callback's code for the account (the pending attempt was taken already). */
export async function finishSignIn(
  provider: ProviderConfig,
  http: UpstreamHttp,
  pending: UpstreamPending,
  callback: CallbackResult,
  nowMs: number,
): Promise<UpstreamProfile> {
  if ('error' in callback) {
    const reason = callback.error === 'access_denied' ? 'denied' : 'failed';
    throw new UpstreamSignInError(reason, `${provider.id} answered error ${callback.error}`);
  }
  const params = {
    code: callback.code,
    codeVerifier: pending.codeVerifier,
    nonce: pending.nonce,
    redirectUri: pending.redirectUri,
    callbackIss: callback.iss,
    nowMs,
  };
  return provider.kind === 'github'
    ? finishGithub(provider, http, params)
    : finishOidc(provider, http, params);
}
