import type { ToolDefinition } from '../tool.js';
import { createUser } from './create-user.js';
import { deleteClient } from './delete-client.js';
import { disableUser } from './disable-user.js';
import { exchangeCode } from './exchange-code.js';
import { getClient } from './get-client.js';
import { getHealth } from './get-health.js';
import { getMetrics } from './get-metrics.js';
import { getOpenidConfig } from './get-openid-config.js';
import { getReadiness } from './get-readiness.js';
import { getToken } from './get-token.js';
import { introspectToken } from './introspect-token.js';
import { listClients } from './list-clients.js';
import { listGrants } from './list-grants.js';
import { listUsers } from './list-users.js';
import { recentEvents } from './recent-events.js';
import { refreshToken } from './refresh-token.js';
import { registerClient } from './register-client.js';
import { revokeGrant } from './revoke-grant.js';
import { revokeToken } from './revoke-token.js';
import { rotateClientSecret } from './rotate-client-secret.js';
import { rotateKeys } from './rotate-keys.js';
import { updateClient } from './update-client.js';

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
