/** Which client a token-endpoint tool authenticates as: the one given, else the configured admin client. */

import { type ApiFailure, failure } from './api/response.js';
import type { ClientCredentials, ServerApi } from './api/server-api.js';

export interface ClientAuthInput {
  client_id?: string | undefined;
  client_secret?: string | undefined;
  auth_method?: 'client_secret_basic' | 'client_secret_post' | undefined;
}

export function resolveCredentials(input: ClientAuthInput, api: ServerApi): ClientCredentials | ApiFailure {
  if (input.client_id !== undefined) {
    return { clientId: input.client_id, clientSecret: input.client_secret, method: input.auth_method };
  }
  if (input.client_secret !== undefined) {
    return failure('invalid_request', 'client_secret given without client_id');
  }
  const configured = api.defaultCredentials;
  if (!configured) return failure('not_configured', 'no client_id given and OAUTH2_CLIENT_ID is not set');
  return { ...configured, method: input.auth_method };
}

export function isFailure(value: ClientCredentials | ApiFailure): value is ApiFailure {
  return 'ok' in value && value.ok === false;
}
