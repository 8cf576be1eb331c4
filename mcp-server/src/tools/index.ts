import type { ToolDefinition } from '../tool.js';
import { createResource } from './create-resource.js';
import { createScope } from './create-scope.js';
import { createTrustedIssuer } from './create-trusted-issuer.js';
import { createUser } from './create-user.js';
import { deleteClient } from './delete-client.js';
import { deleteResource } from './delete-resource.js';
import { deleteScope } from './delete-scope.js';
import { deleteTrustedIssuer } from './delete-trusted-issuer.js';
import { disableUser } from './disable-user.js';
import { exchangeCode } from './exchange-code.js';
import { getClient } from './get-client.js';
import { getHealth } from './get-health.js';
import { getMetrics } from './get-metrics.js';
import { getOpenidConfig } from './get-openid-config.js';
import { getReadiness } from './get-readiness.js';
import { getResource } from './get-resource.js';
import { getScope } from './get-scope.js';
import { getToken } from './get-token.js';
import { getTrustedIssuer } from './get-trusted-issuer.js';
import { getUserFactors } from './get-user-factors.js';
import { introspectToken } from './introspect-token.js';
import { listClients } from './list-clients.js';
import { listGrants } from './list-grants.js';
import { listResources } from './list-resources.js';
import { listScopes } from './list-scopes.js';
import { listTrustedIssuers } from './list-trusted-issuers.js';
import { listUsers } from './list-users.js';
import { recentEvents } from './recent-events.js';
import { refreshToken } from './refresh-token.js';
import { registerClient } from './register-client.js';
import { resetUserFactors } from './reset-user-factors.js';
import { revokeGrant } from './revoke-grant.js';
import { revokeToken } from './revoke-token.js';
import { rotateClientSecret } from './rotate-client-secret.js';
import { rotateKeys } from './rotate-keys.js';
import { updateClient } from './update-client.js';
import { updateResource } from './update-resource.js';
import { updateScope } from './update-scope.js';
import { updateTrustedIssuer } from './update-trusted-issuer.js';

/**
 * Every tool the server offers, in the order tools/list shows them. The cast widens each tool's input type
 * (run() is contravariant in it); registerTool validates the input against the tool's own schema first.
 */
export const TOOLS = [
  // Clients
  registerClient,
  getClient,
  listClients,
  updateClient,
  deleteClient,
  rotateClientSecret,
  // Users
  listUsers,
  createUser,
  disableUser,
  getUserFactors,
  resetUserFactors,
  // Scopes and APIs
  listScopes,
  getScope,
  createScope,
  updateScope,
  deleteScope,
  listResources,
  getResource,
  createResource,
  updateResource,
  deleteResource,
  // Trusted issuers (JWT bearer grant)
  listTrustedIssuers,
  getTrustedIssuer,
  createTrustedIssuer,
  updateTrustedIssuer,
  deleteTrustedIssuer,
  // Grants
  listGrants,
  revokeGrant,
  // OAuth endpoints
  getToken,
  exchangeCode,
  refreshToken,
  introspectToken,
  revokeToken,
  // Keys and events
  rotateKeys,
  recentEvents,
  // Operations and discovery
  getHealth,
  getReadiness,
  getMetrics,
  getOpenidConfig,
] as unknown as readonly ToolDefinition[];
