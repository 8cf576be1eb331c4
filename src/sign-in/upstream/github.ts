/**
 * GitHub sign-in through its OAuth app flow (docs.github.com, "Authorizing OAuth apps"): the authorize
 * redirect with `state` and PKCE S256, the code exchanged at `/login/oauth/access_token` (JSON with
 * `Accept: application/json`; errors come back as 200 with an `error` field), then `GET /user` for the
 * numeric id (the subject: logins can be renamed) and `GET /user/emails` for the verified primary e-mail.
 * Base URLs come from OAUTH2_GITHUB_BASE_URL / OAUTH2_GITHUB_API_URL (GitHub Enterprise Server, tests).
 */
import type { GithubProviderConfig } from './config';
import { UpstreamSignInError } from './errors';
import type { UpstreamHttp } from './http';
import {
  authorizationUrl,
  cleanEmail,
  cleanText,
  type FinishParams,
  MAX_NAME_LENGTH,
  type StartParams,
  type UpstreamProfile,
} from './types';

/** `read:user` for the profile, `user:email` for private e-mail addresses. */
export const GITHUB_SCOPE = 'read:user user:email';
const API_HEADERS = { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' };

export function githubAuthorizationUrl(provider: GithubProviderConfig, params: StartParams): string {
  const query = {
    client_id: provider.clientId,
    redirect_uri: params.redirectUri,
    scope: GITHUB_SCOPE,
    state: params.state,
  };
  return authorizationUrl(`${provider.baseUrl}/login/oauth/authorize`, query, params);
}

export async function finishGithub(
  provider: GithubProviderConfig,
  http: UpstreamHttp,
  params: FinishParams,
): Promise<UpstreamProfile> {
  const token = await exchange(provider, http, params);
  const auth = { ...API_HEADERS, Authorization: `Bearer ${token}` };
  const user = await http.get(`${provider.apiUrl}/user`, auth);
  const id = objectField(user.json, 'id');
  if (user.status !== 200 || typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new UpstreamSignInError('failed', `github /user answered ${user.status} without an id`);
  }
  const emails = await http.get(`${provider.apiUrl}/user/emails`, auth);
  const primary = emails.status === 200 && Array.isArray(emails.json) ? primaryEmail(emails.json) : null;
  return {
    subject: String(id),
    email: primary,
    emailVerified: primary !== null,
    name: cleanText(objectField(user.json, 'name'), MAX_NAME_LENGTH),
    preferredUsername: cleanText(objectField(user.json, 'login'), MAX_NAME_LENGTH),
  };
}

async function exchange(
  provider: GithubProviderConfig,
  http: UpstreamHttp,
  params: FinishParams,
): Promise<string> {
  const body = new URLSearchParams({
    client_id: provider.clientId,
    client_secret: provider.clientSecret,
    code: params.code,
    redirect_uri: params.redirectUri,
    code_verifier: params.codeVerifier,
  });
  const res = await http.postForm(`${provider.baseUrl}/login/oauth/access_token`, body);
  const token = objectField(res.json, 'access_token');
  if (res.status !== 200 || typeof token !== 'string' || token.length === 0) {
    const error = objectField(res.json, 'error');
    const code = typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : 'no error code';
    throw new UpstreamSignInError('failed', `github access_token answered ${res.status} (${code})`);
  }
  return token;
}

/** The verified primary address of a `/user/emails` answer, else null. */
export function primaryEmail(entries: unknown[]): string | null {
  for (const entry of entries) {
    if (objectField(entry, 'primary') === true && objectField(entry, 'verified') === true) {
      return cleanEmail(objectField(entry, 'email'));
    }
  }
  return null;
}

function objectField(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Reflect.get(value, name)
    : undefined;
}
